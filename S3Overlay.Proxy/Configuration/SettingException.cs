namespace S3Overlay.Configuration;

/// <summary>A setting that stops start-up; the message names it in both its spellings.</summary>
internal sealed class SettingException(string envName, string problem)
    : Exception($"Setting {envName} ({SettingReader.KeyOf(envName)}): {problem}.")
{
    public string Setting { get; } = envName;

    /// <summary>What is wrong with the value, without the setting's name (the CLI names its flag instead).</summary>
    public string Problem { get; } = problem;
}
