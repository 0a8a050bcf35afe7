namespace S3Overlay.S3.Lifecycle;

/// <summary>
/// When "N days after" falls. S3 adds the days to the object's creation time and rounds up to the
/// next midnight UTC (and so does MinIO, which counts from the midnight after creation plus a day).
/// A shorter day (<c>S3_OVERLAY_LIFECYCLE_DAY_SECONDS</c>, as Ceph RGW's <c>rgw lc debug interval</c>)
/// makes a day that many seconds and drops the rounding, so tests see a rule act within seconds.
/// </summary>
internal sealed record LifecycleDays(TimeSpan Day)
{
    public static readonly LifecycleDays Standard = new(TimeSpan.FromDays(1));

    public bool IsStandard => Day == TimeSpan.FromDays(1);

    /// <summary>The moment <paramref name="days"/> days after <paramref name="start"/> have passed.</summary>
    public DateTimeOffset After(DateTimeOffset start, int days)
    {
        if (!IsStandard) return start + Day * days;
        var utc = start.UtcDateTime.AddDays(days + 1);
        return new DateTimeOffset(utc.Date, TimeSpan.Zero);
    }
}
