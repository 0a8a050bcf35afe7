namespace S3Overlay.Configuration.Catalog;

/// <summary>The lifecycle scanner (Lifecycle/LifecycleSettings.cs).</summary>
internal static class LifecycleCatalog
{
    public static readonly DurationSetting Interval = new("S3_OVERLAY_LIFECYCLE_INTERVAL", TimeSpan.FromHours(1),
        "How often the lifecycle scanner applies the buckets' lifecycle rules to the local store; the first scan comes this long after start-up, at most a minute; `0` turns the scanner off. See [Bucket lifecycle](cache-and-admin.md#bucket-lifecycle)")
    { Note = "1 h" };

    public static readonly LongSetting DaySeconds = new("S3_OVERLAY_LIFECYCLE_DAY_SECONDS", 86400,
        "How many seconds a lifecycle \"day\" lasts, for tests (as Ceph RGW's `rgw lc debug interval`): a rule of N days acts N × this many seconds after an object was written, not rounded to midnight")
    { Min = 1 };
}
