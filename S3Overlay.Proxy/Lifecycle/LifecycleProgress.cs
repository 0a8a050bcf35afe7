namespace S3Overlay.Lifecycle;

/// <summary>One scan's figures: while it runs (<see cref="Finished"/> null) and once it ended.</summary>
/// <param name="ObjectsExamined">Objects listed and decided for.</param>
/// <param name="Failures">Buckets whose scan stopped on an error (the next scan tries them again).</param>
internal sealed record LifecycleScanReport(
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    int Buckets,
    int BucketsScanned,
    long ObjectsExamined,
    long ObjectsExpired,
    long UploadsAborted,
    int Failures);

/// <summary>
/// What the scanner did since the proxy started: objects expired and uploads aborted, counted as
/// each happens (a scan cut off or failed midway still counts what it did), and the scans finished.
/// </summary>
internal sealed record LifecycleTotals(long Scans, long ObjectsExpired, long UploadsAborted);

/// <summary>The scan under way, the last one finished and the totals since start, for the status page and <c>s3overlay status</c>.</summary>
/// <remarks>
/// The last scan alone cannot answer "has the scanner expired these objects": the next scan replaces
/// it (with a short interval, before a reader who looks now and then has seen it), and objects due
/// together can go in different scans (a bucket whose scan stopped on an error is scanned again by
/// the next). The totals keep every scan's work.
/// </remarks>
internal sealed class LifecycleProgress
{
    private readonly Lock _lock = new();
    private LifecycleScanReport? _running;
    private LifecycleScanReport? _last;
    private LifecycleTotals _totals = new(0, 0, 0);

    public (LifecycleScanReport? Running, LifecycleScanReport? Last, LifecycleTotals SinceStart) Now()
    {
        lock (_lock) return (_running, _last, _totals);
    }

    internal void Start(DateTimeOffset at, int buckets)
    {
        lock (_lock) _running = new LifecycleScanReport(at, null, buckets, 0, 0, 0, 0, 0);
    }

    internal void Count(long examined = 0, long expired = 0, long aborted = 0)
    {
        lock (_lock)
        {
            if (_running is { } r) _running = r with { ObjectsExamined = r.ObjectsExamined + examined, ObjectsExpired = r.ObjectsExpired + expired, UploadsAborted = r.UploadsAborted + aborted };
            _totals = _totals with { ObjectsExpired = _totals.ObjectsExpired + expired, UploadsAborted = _totals.UploadsAborted + aborted };
        }
    }

    internal void BucketDone(bool failed)
    {
        lock (_lock)
            if (_running is { } r) _running = r with { BucketsScanned = r.BucketsScanned + 1, Failures = r.Failures + (failed ? 1 : 0) };
    }

    internal LifecycleScanReport? Finish(DateTimeOffset at)
    {
        lock (_lock)
        {
            if (_running is { } r)
            {
                _last = r with { Finished = at };
                _totals = _totals with { Scans = _totals.Scans + 1 };
            }
            _running = null;
            return _last;
        }
    }
}
