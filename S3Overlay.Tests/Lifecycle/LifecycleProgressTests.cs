using S3Overlay.Lifecycle;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// The scanner's figures as the status page reads them: the last scan is replaced by the next,
/// the totals since start keep what every scan did.
/// </summary>
[UnitTests]
public sealed class LifecycleProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 10, 15, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Two_objects_expired_by_two_scans_are_one_each_in_the_last_scan_and_two_since_start()
    {
        var progress = new LifecycleProgress();
        progress.Start(T0, buckets: 1);
        progress.Count(examined: 2, expired: 1);
        progress.Finish(T0.AddSeconds(1));
        progress.Start(T0.AddSeconds(2), buckets: 1);
        progress.Count(examined: 1, expired: 1, aborted: 3);
        progress.Finish(T0.AddSeconds(3));
        // A third scan, with nothing due: what a status read a second later finds as the last one.
        progress.Start(T0.AddSeconds(4), buckets: 1);
        progress.Count(examined: 1);
        progress.Finish(T0.AddSeconds(5));

        var (running, last, sinceStart) = progress.Now();
        Assert.Null(running);
        Assert.Equal((0L, 1L), (last!.ObjectsExpired, last.ObjectsExamined));
        Assert.Equal(new LifecycleTotals(Scans: 3, ObjectsExpired: 2, UploadsAborted: 3), sinceStart);
    }

    [Fact]
    public void What_a_scan_under_way_did_counts_at_once_and_stays_counted_when_the_scan_is_cut_off()
    {
        var progress = new LifecycleProgress();
        progress.Start(T0, buckets: 2);
        progress.Count(examined: 1, expired: 1);
        Assert.Equal(new LifecycleTotals(0, 1, 0), progress.Now().SinceStart);

        // The scanner's host stopped mid-scan, or the scan failed: the next one starts afresh.
        progress.Start(T0.AddSeconds(1), buckets: 2);
        progress.Count(examined: 1, expired: 1);
        progress.Finish(T0.AddSeconds(2));

        var (_, last, sinceStart) = progress.Now();
        Assert.Equal(1, last!.ObjectsExpired);
        Assert.Equal(new LifecycleTotals(1, 2, 0), sinceStart);
    }
}
