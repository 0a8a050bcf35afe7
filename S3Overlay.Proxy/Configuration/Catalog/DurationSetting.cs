using System.Globalization;

namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// A duration in seconds (<c>30</c>) or <c>hh:mm:ss</c>; the reference gives its default in
/// seconds. With <see cref="Positive"/>, zero is refused too.
/// </summary>
internal sealed class DurationSetting : Setting
{
    public DurationSetting(string variable, TimeSpan? defaultValue, string meaning)
        : base(variable, SettingReader.KeyOf(variable), meaning)
    {
        Default = defaultValue;
        Note = defaultValue is null ? null : "seconds";
    }

    public TimeSpan? Default { get; }

    public bool Positive { get; init; }

    public override string? DefaultValue => Default?.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The duration set, or the default (which this setting must have).</summary>
    public TimeSpan Read(SettingReader read) =>
        ReadOptional(read) ?? throw new InvalidOperationException($"{Name} has no default: read it with {nameof(ReadOptional)}");

    /// <summary>The duration set, or the default, or null when there is neither.</summary>
    public TimeSpan? ReadOptional(SettingReader read)
    {
        if (read.String(Variable!) is null) return Default;
        var value = read.Duration(Variable!, TimeSpan.Zero);
        if (Positive && value <= TimeSpan.Zero) throw Invalid("must be more than 0");
        return value;
    }
}
