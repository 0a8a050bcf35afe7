using S3Overlay.Configuration;
using S3Overlay.S3.Lifecycle;

namespace S3Overlay.Lifecycle;

/// <summary>How often the lifecycle scanner runs, and how long a lifecycle "day" is.</summary>
/// <param name="Interval">Between the start of one scan and the next; zero turns the scanner off.</param>
public sealed record LifecycleSettings(TimeSpan Interval, LifecycleDays Days)
{
    public const string IntervalSetting = "S3_OVERLAY_LIFECYCLE_INTERVAL";
    public const string DaySecondsSetting = "S3_OVERLAY_LIFECYCLE_DAY_SECONDS";

    public static LifecycleSettings From(SettingReader read) => new(
        read.Duration(IntervalSetting, TimeSpan.FromHours(1)),
        new LifecycleDays(TimeSpan.FromSeconds(read.Long(DaySecondsSetting, 86400, min: 1))));
}
