using System.Collections.Concurrent;

namespace S3Overlay.Overlay;

/// <summary>
/// Remote "not found" answers remembered for a short time, so a burst of reads of a missing key
/// costs the remote one request. In-process only: it is a cache of the remote's answer, not state.
/// </summary>
public sealed class NegativeLookupCache(TimeSpan ttl, TimeProvider clock, int capacity = 100_000)
{
    private readonly ConcurrentDictionary<(string Bucket, string Key), DateTimeOffset> _until = new();

    public bool IsKnownMissing(string remoteBucket, string key)
    {
        if (ttl <= TimeSpan.Zero || !_until.TryGetValue((remoteBucket, key), out var until)) return false;
        if (clock.GetUtcNow() < until) return true;
        _until.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>((remoteBucket, key), until));
        return false;
    }

    public void RememberMissing(string remoteBucket, string key)
    {
        if (ttl <= TimeSpan.Zero) return;
        var now = clock.GetUtcNow();
        if (_until.Count >= capacity)
            foreach (var (k, until) in _until)
                if (until <= now) _until.TryRemove(k, out _);
        if (_until.Count < capacity) _until[(remoteBucket, key)] = now + ttl;
    }

    /// <summary>Forgets a key that is known to exist now (a fill, or a write that the remote will see).</summary>
    public void Forget(string remoteBucket, string key) => _until.TryRemove((remoteBucket, key), out _);
}
