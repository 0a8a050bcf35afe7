using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Cli.Serve;

/// <summary>
/// One flag of <c>s3overlay serve</c> and the setting it stands for. A flag is only another spelling
/// of a setting declared in the <see cref="SettingCatalog"/> (where its name, default and meaning
/// are): the server reads it through the same <see cref="Configuration.SettingReader"/>.
/// </summary>
/// <param name="Setting">The configuration key the flag sets: an <c>S3_OVERLAY_*</c> name, or <c>urls</c>.</param>
/// <param name="Variable">The environment variable a person would otherwise set (shown in --help).</param>
internal sealed record ServeFlag(string Name, string Setting, string Variable, string Default, string Meaning)
{
    public string HelpText => $"{Meaning} [env: {Variable}] [default: {Default}]";

    /// <summary>The flags people set most (the declarations with a flag); everything else stays an environment or configuration setting.</summary>
    public static IReadOnlyList<ServeFlag> All { get; } =
        [.. SettingCatalog.Flagged.Select(s => new ServeFlag(s.Flag!, s.FlagSets, s.Variable!, s.DefaultText, s.FlagMeaning ?? s.Meaning))];

    /// <summary>The flag that sets <paramref name="setting"/>, to name it in an error about its value.</summary>
    public static ServeFlag? ForSetting(string setting) => All.FirstOrDefault(f => f.Setting == setting);
}
