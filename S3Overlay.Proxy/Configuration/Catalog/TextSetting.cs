namespace S3Overlay.Configuration.Catalog;

/// <summary>A setting whose value is text (a name, a URL, a list); no default unless one is given.</summary>
internal sealed class TextSetting(string variable, string? defaultValue, string meaning)
    : Setting(variable, SettingReader.KeyOf(variable), meaning)
{
    public string? Default { get; } = defaultValue;

    public override string? DefaultValue => Default;

    /// <summary>The value set, or the default.</summary>
    public string? Read(SettingReader read) => read.String(Variable!, Default);

    /// <summary>The value set, or null when it is not (for settings whose default depends on others).</summary>
    public string? Given(SettingReader read) => read.String(Variable!);

    /// <summary>A comma-separated list: its items, trimmed, empty ones left out.</summary>
    public string[] Items(SettingReader read) =>
        (Read(read) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
