namespace S3Overlay.Lifecycle;

/// <summary>The lifecycle scanner as <c>/_overlay/status</c> shows it: its interval, the scan under way, the last one finished, the totals since start.</summary>
internal sealed record LifecycleStatus(double IntervalSeconds, LifecycleScanReport? Running, LifecycleScanReport? Last, LifecycleTotals SinceStart)
{
    /// <returns>Null when the scanner is off.</returns>
    public static LifecycleStatus? Of(LifecycleSettings settings, LifecycleProgress progress)
    {
        if (settings.Interval <= TimeSpan.Zero) return null;
        var (running, last, sinceStart) = progress.Now();
        return new LifecycleStatus(settings.Interval.TotalSeconds, running, last, sinceStart);
    }
}
