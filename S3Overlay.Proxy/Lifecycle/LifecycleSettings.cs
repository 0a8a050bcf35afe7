using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.S3.Lifecycle;

namespace S3Overlay.Lifecycle;

/// <summary>How often the lifecycle scanner runs, and how long a lifecycle "day" is.</summary>
/// <param name="Interval">Between the start of one scan and the next; zero turns the scanner off.</param>
internal sealed record LifecycleSettings(TimeSpan Interval, LifecycleDays Days)
{
    public static LifecycleSettings From(SettingReader read) => new(
        LifecycleCatalog.Interval.Read(read),
        new LifecycleDays(TimeSpan.FromSeconds(LifecycleCatalog.DaySeconds.Read(read))));
}
