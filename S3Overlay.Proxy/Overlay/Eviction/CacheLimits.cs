using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Overlay.Eviction;

/// <summary>How large the overlay's cache may grow (read once at start-up).</summary>
/// <param name="MaxBytes">The cap on what came from the remote (filled objects and chunks); null is unlimited.</param>
/// <param name="HighWatermarkPercent">Eviction starts once the cache holds more than this share of the cap…</param>
/// <param name="LowWatermarkPercent">…and evicts the least recently used until it holds no more than this share.</param>
/// <param name="IndexFlushInterval">How often the eviction bookkeeping (sizes, last accesses) is written to the local store.</param>
internal sealed record CacheLimits(long? MaxBytes, int HighWatermarkPercent, int LowWatermarkPercent, TimeSpan IndexFlushInterval)
{
    public static readonly CacheLimits Unlimited = new(null, (int)CacheCatalog.CacheHighWatermark.Default, (int)CacheCatalog.CacheLowWatermark.Default,
        CacheCatalog.CacheIndexFlushInterval.Default!.Value);

    public long? HighBytes => MaxBytes * HighWatermarkPercent / 100;

    public long? LowBytes => MaxBytes * LowWatermarkPercent / 100;

    /// <summary>One replica's share of a fleet's cap, split evenly: rendezvous hashing gives each about as many units to own.</summary>
    public CacheLimits ShareOf(int replicas) => MaxBytes is { } max && replicas > 1 ? this with { MaxBytes = Math.Max(1, max / replicas) } : this;

    public static CacheLimits From(SettingReader read)
    {
        var max = CacheCatalog.CacheMaxBytes.Read(read);
        var high = (int)CacheCatalog.CacheHighWatermark.Read(read);
        var low = (int)CacheCatalog.CacheLowWatermark.Read(read);
        if (low >= high)
            throw CacheCatalog.CacheLowWatermark.Invalid($"{low} must be below {CacheCatalog.CacheHighWatermark} ({high})");
        return new CacheLimits(max == 0 ? null : max, high, low, CacheCatalog.CacheIndexFlushInterval.Read(read));
    }
}
