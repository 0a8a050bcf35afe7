namespace S3Overlay.Overlay.Eviction;

/// <summary>What the cache holds under a bucket and prefix (or what an eviction removed).</summary>
internal sealed record CacheReport(int Objects, int ChunkedObjects, int Chunks, long Bytes)
{
    public static CacheReport Of(IEnumerable<CacheEntry> entries)
    {
        var list = entries.ToList();
        return new CacheReport(
            list.Count,
            list.Count(e => e.Kind == CacheEntryKind.Chunks),
            list.Sum(e => e.Chunks),
            list.Sum(e => e.Size));
    }
}
