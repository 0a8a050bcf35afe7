using System.Globalization;

namespace S3Overlay.Storage.ObjectLock;

/// <summary>
/// A bucket's Object Lock configuration. Its existence means Object Lock is enabled, which is for
/// good, as in S3; <see cref="Rule"/> is the optional default retention.
/// </summary>
internal sealed record ObjectLockConfiguration(DefaultRetention? Rule)
{
    /// <summary>Enabled, with no default retention: what CreateBucket with <c>x-amz-bucket-object-lock-enabled</c> makes.</summary>
    public static readonly ObjectLockConfiguration Enabled = new((DefaultRetention?)null);

    /// <summary>The one-line form a store keeps: <c>Enabled</c>, or <c>Enabled GOVERNANCE Days 30</c>.</summary>
    public string ToText() => Rule is not { } rule ? "Enabled"
        : rule.Days is { } days ? $"Enabled {rule.Mode} Days {days.ToString(CultureInfo.InvariantCulture)}"
        : $"Enabled {rule.Mode} Years {rule.Years!.Value.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What <see cref="ToText"/> wrote; null for no text (Object Lock never enabled).</summary>
    public static ObjectLockConfiguration? FromText(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(' ');
        if (parts is ["Enabled"]) return Enabled;
        if (parts is ["Enabled", var mode, var unit, var number] && RetentionModes.IsValid(mode) && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return new ObjectLockConfiguration(unit == "Days" ? new DefaultRetention(mode, n, null) : new DefaultRetention(mode, null, n));
        throw new InvalidDataException($"Not an Object Lock configuration: {text}");
    }
}
