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

/// <summary>The scan under way and the last one finished, for the status page and <c>s3overlay status</c>.</summary>
internal sealed class LifecycleProgress
{
    private readonly Lock _lock = new();
    private LifecycleScanReport? _running;
    private LifecycleScanReport? _last;

    public (LifecycleScanReport? Running, LifecycleScanReport? Last) Now()
    {
        lock (_lock) return (_running, _last);
    }

    internal void Start(DateTimeOffset at, int buckets)
    {
        lock (_lock) _running = new LifecycleScanReport(at, null, buckets, 0, 0, 0, 0, 0);
    }

    internal void Count(long examined = 0, long expired = 0, long aborted = 0)
    {
        lock (_lock)
            if (_running is { } r) _running = r with { ObjectsExamined = r.ObjectsExamined + examined, ObjectsExpired = r.ObjectsExpired + expired, UploadsAborted = r.UploadsAborted + aborted };
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
            if (_running is { } r) _last = r with { Finished = at };
            _running = null;
            return _last;
        }
    }
}
