using System.Collections.Concurrent;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The buckets a server's answers have shown to exist: any successful request naming a bucket
/// proves it. A NoSuchBucket answer (or this store's own delete) forgets it again, so a bucket
/// deleted behind this store's back is corrected by the next request that meets its absence.
/// </summary>
internal sealed class KnownBuckets
{
    // Bounded: a proxy over a store of very many buckets keeps asking for the rest rather than grow.
    private const int Kept = 10_000;
    private readonly ConcurrentDictionary<string, byte> _buckets = new(StringComparer.Ordinal);

    public bool Contains(string bucket) => _buckets.ContainsKey(bucket);

    public void Saw(string bucket)
    {
        if (_buckets.ContainsKey(bucket)) return;
        if (_buckets.Count >= Kept) _buckets.Clear();
        _buckets.TryAdd(bucket, 0);
    }

    public void Forget(string bucket) => _buckets.TryRemove(bucket, out _);
}
