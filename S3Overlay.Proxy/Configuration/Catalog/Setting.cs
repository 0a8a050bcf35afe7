namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// One setting, declared once in a catalog (<see cref="SettingCatalog"/>): its environment name,
/// its .NET configuration key, its <c>serve</c> flag, its default and what it means. The code reads
/// it through its declaration, and docs/configuration.md and docs/cli.md are generated from the
/// same declarations (<see cref="ReferenceTables"/>), so a default the docs state is the one the
/// code uses.
/// </summary>
internal abstract class Setting
{
    protected Setting(string? variable, string key, string meaning)
    {
        Variable = variable;
        Key = key;
        Meaning = meaning;
    }

    /// <summary>The environment name (<c>S3_OVERLAY_CHUNK_SIZE</c>); null for a setting of .NET configuration only.</summary>
    public string? Variable { get; }

    /// <summary>The .NET configuration key (<c>Overlay:ChunkSize</c>, i.e. <c>Overlay__ChunkSize</c>).</summary>
    public string Key { get; }

    /// <summary>What it does, for docs/configuration.md (Markdown, one line).</summary>
    public string Meaning { get; }

    /// <summary>Its <c>s3overlay serve</c> flag (<c>--chunk-size</c>), if it has one.</summary>
    public string? Flag { get; init; }

    /// <summary>The flag's line in <c>serve --help</c> and docs/cli.md (plain text); none: <see cref="Meaning"/>.</summary>
    public string? FlagMeaning { get; init; }

    /// <summary>Said after the default, in parentheses (<c>16777216</c> (16 MiB)); for no default, what none means.</summary>
    public string? Note { get; init; }

    /// <summary>The name start-up errors give (the variable, else the name its errors have always used).</summary>
    public virtual string Name => Variable ?? Key;

    /// <summary>The configuration name a flag sets: the variable, so a flag wins as the variable does.</summary>
    public virtual string FlagSets => Name;

    /// <summary>The default as text the setting would accept (invariant culture); null when there is none.</summary>
    public abstract string? DefaultValue { get; }

    /// <summary>The default as <c>serve --help</c> says it: <c>16777216 (16 MiB)</c>, <c>none: AWS S3</c>.</summary>
    public string DefaultText => (DefaultValue is { } value
        ? Note is null ? value : $"{value} ({Note})"
        : Note is null ? "none" : $"none: {Note}").Replace("`", "", StringComparison.Ordinal);

    /// <summary>The default as the reference tables say it: <c>`16777216` (16 MiB)</c>, <c>(none: AWS S3)</c>.</summary>
    public string DefaultMarkdown => DefaultValue is { } value
        ? Note is null ? $"`{value}`" : $"`{value}` ({Note})"
        : Note is null ? "(none)" : $"(none: {Note})";

    /// <summary>A start-up error about this setting's value, naming it.</summary>
    public SettingException Invalid(string problem) => new(Name, problem);

    public override string ToString() => Name;
}
