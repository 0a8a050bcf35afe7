namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// Settings of .NET configuration only, with no environment name of their own (lists and
/// sections such as <c>Overlay:Users:N:AccessKey</c>). <see cref="Setting.Note"/> says what none means.
/// </summary>
/// <param name="errorName">The name start-up errors about them give, if any (<c>S3_OVERLAY_USERS</c>).</param>
internal sealed class ConfigurationOnlySetting(string? errorName, string[] keys, string meaning)
    : Setting(null, keys[0], meaning)
{
    public IReadOnlyList<string> Keys { get; } = keys;

    public override string Name => errorName ?? Key;

    public override string? DefaultValue => null;
}
