namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// A folder or file, made absolute. The default may start with <c>&lt;temp&gt;</c>, the system's
/// temporary folder, so the reference says the same default on every machine.
/// </summary>
internal sealed class PathSetting(string variable, string? defaultValue, string meaning)
    : Setting(variable, SettingReader.KeyOf(variable), meaning)
{
    public const string Temp = "<temp>";

    public string? Default { get; } = defaultValue;

    public override string? DefaultValue => Default;

    /// <summary>The full path set, or the default's; null when neither is.</summary>
    public string? Read(SettingReader read) =>
        (read.String(Variable!) ?? Default?.Replace(Temp, Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.Ordinal))
            is { } path ? Path.GetFullPath(path) : null;
}
