namespace S3Overlay.Admin;

/// <summary>One prefetch from the remote (of a prefix, or of one key), as <c>GET /_overlay/api/jobs/{id}</c> shows it.</summary>
internal sealed class WarmJob(string id, string bucket, string prefix, string? key, DateTimeOffset started)
{
    private const int MaxErrorsKept = 100;

    private readonly Lock _lock = new();
    private readonly List<WarmError> _errors = new();
    private int _done, _failed, _skipped;
    private long _bytes;

    public string Id { get; } = id;
    public string Bucket { get; } = bucket;
    public string Prefix { get; } = prefix;

    /// <summary>The one key to warm; null for every key under <see cref="Prefix"/>.</summary>
    public string? Key { get; } = key;
    public DateTimeOffset Started { get; } = started;
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>Null while the remote is still being listed.</summary>
    public int? Total { get; private set; }

    public string State => Finished is null ? "running" : _fatal is null ? "completed" : "failed";

    private string? _fatal;

    public void Listed(int total) => Total = total;

    public void ObjectDone(long bytes)
    {
        Interlocked.Increment(ref _done);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Listed on the remote, but nothing to warm: deleted here (a whiteout), hidden, or gone from the remote since.</summary>
    public void ObjectSkipped() => Interlocked.Increment(ref _skipped);

    public void ObjectFailed(string key, string message)
    {
        Interlocked.Increment(ref _failed);
        lock (_lock)
            if (_errors.Count < MaxErrorsKept) _errors.Add(new WarmError(key, message));
    }

    public void Finish(DateTimeOffset at, string? fatal = null)
    {
        _fatal = fatal;
        Finished = at;
    }

    public WarmJobAnswer ToAnswer()
    {
        lock (_lock)
            return new WarmJobAnswer(Id, Bucket, Prefix, Key, State, Started, Finished, Total, Volatile.Read(ref _done),
                Volatile.Read(ref _failed), Volatile.Read(ref _skipped), Interlocked.Read(ref _bytes), _fatal, _errors.ToList());
    }
}

internal sealed record WarmError(string Key, string Message);
