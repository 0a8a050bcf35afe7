using System.Collections.Concurrent;
using S3Overlay.Overlay.Keys;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// Remote "not found" answers remembered for a short time, so a burst of reads of a missing key
/// costs the remote one request; and, while the remote fails, for the stale-if-error window, so a
/// probe of a key the remote lately said it lacks is still "no such key" (GDAL's sidecar probes,
/// a backup tool's existence checks). In-process only: a cache of the remote's answer, not state.
/// </summary>
/// <remarks>
/// Keys are kept as their <see cref="KeyDigest"/>: 100,000 of them cost about 7 MiB, not the
/// 29 MiB of their strings. A digest shared by an existing key and a missing one would answer
/// the existing one "no such key" for the TTL, at a chance of about 2^-128.
/// </remarks>
internal sealed class NegativeLookupCache(TimeSpan ttl, TimeProvider clock, int capacity = 100_000, TimeSpan staleIfError = default)
{
    private readonly ConcurrentDictionary<UInt128, DateTimeOffset> _seen = new();

    private TimeSpan Kept => ttl > staleIfError ? ttl : staleIfError;

    /// <summary>The remote said "not found" within the TTL: it need not be asked.</summary>
    public bool IsKnownMissing(string remoteBucket, string key) => SeenWithin(remoteBucket, key, ttl);

    /// <summary>The remote said "not found" within the stale-if-error window (for when it fails now).</summary>
    public bool WasMissingLately(string remoteBucket, string key) => SeenWithin(remoteBucket, key, staleIfError);

    private bool SeenWithin(string remoteBucket, string key, TimeSpan age)
    {
        if (age <= TimeSpan.Zero) return false;
        var id = KeyDigest.Of(remoteBucket, key);
        if (!_seen.TryGetValue(id, out var seen)) return false;
        var now = clock.GetUtcNow();
        if (now - seen < age) return true;
        if (now - seen >= Kept) _seen.TryRemove(new KeyValuePair<UInt128, DateTimeOffset>(id, seen));
        return false;
    }

    public void RememberMissing(string remoteBucket, string key)
    {
        if (Kept <= TimeSpan.Zero) return;
        var now = clock.GetUtcNow();
        if (_seen.Count >= capacity)
            foreach (var (k, seen) in _seen)
                if (now - seen >= Kept) _seen.TryRemove(k, out _);
        if (_seen.Count < capacity) _seen[KeyDigest.Of(remoteBucket, key)] = now;
    }

    /// <summary>Forgets a key that is known to exist now (a fill, or a write that the remote will see).</summary>
    public void Forget(string remoteBucket, string key) => _seen.TryRemove(KeyDigest.Of(remoteBucket, key), out _);
}
