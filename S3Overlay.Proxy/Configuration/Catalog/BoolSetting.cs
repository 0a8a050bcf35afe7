namespace S3Overlay.Configuration.Catalog;

/// <summary>A switch: <c>true</c>/<c>false</c> (also <c>1</c>/<c>0</c>, <c>yes</c>/<c>no</c>, <c>on</c>/<c>off</c>).</summary>
internal sealed class BoolSetting(string variable, bool defaultValue, string meaning)
    : Setting(variable, SettingReader.KeyOf(variable), meaning)
{
    public bool Default { get; } = defaultValue;

    public override string DefaultValue => Default ? "true" : "false";

    public bool Read(SettingReader read) => read.Bool(Variable!, Default);
}
