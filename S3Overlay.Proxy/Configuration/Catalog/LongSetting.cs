using System.Globalization;

namespace S3Overlay.Configuration.Catalog;

/// <summary>A whole number within <see cref="Min"/>..<see cref="Max"/>.</summary>
internal sealed class LongSetting(string variable, long defaultValue, string meaning)
    : Setting(variable, SettingReader.KeyOf(variable), meaning)
{
    public long Default { get; } = defaultValue;

    public long Min { get; init; } = long.MinValue;

    public long Max { get; init; } = long.MaxValue;

    public override string DefaultValue => Default.ToString(CultureInfo.InvariantCulture);

    public long Read(SettingReader read) => read.Long(Variable!, Default, Min, Max);
}
