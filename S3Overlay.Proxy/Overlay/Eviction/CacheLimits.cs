using S3Overlay.Configuration;

namespace S3Overlay.Overlay.Eviction;

/// <summary>How large the overlay's cache may grow (read once at start-up).</summary>
/// <param name="MaxBytes">The cap on what came from the remote (filled objects and chunks); null is unlimited.</param>
/// <param name="HighWatermarkPercent">Eviction starts once the cache holds more than this share of the cap…</param>
/// <param name="LowWatermarkPercent">…and evicts the least recently used until it holds no more than this share.</param>
/// <param name="IndexFlushInterval">How often the eviction bookkeeping (sizes, last accesses) is written to the local store.</param>
public sealed record CacheLimits(long? MaxBytes, int HighWatermarkPercent, int LowWatermarkPercent, TimeSpan IndexFlushInterval)
{
    public static readonly CacheLimits Unlimited = new(null, 90, 75, TimeSpan.FromSeconds(10));

    public long? HighBytes => MaxBytes * HighWatermarkPercent / 100;

    public long? LowBytes => MaxBytes * LowWatermarkPercent / 100;

    /// <summary>One replica's share of a fleet's cap, split evenly: rendezvous hashing gives each about as many units to own.</summary>
    public CacheLimits ShareOf(int replicas) => MaxBytes is { } max && replicas > 1 ? this with { MaxBytes = Math.Max(1, max / replicas) } : this;

    public static CacheLimits From(SettingReader read)
    {
        var max = read.Long("S3_OVERLAY_CACHE_MAX_BYTES", 0, min: 0);
        var high = (int)read.Long("S3_OVERLAY_CACHE_HIGH_WATERMARK", 90, min: 1, max: 100);
        var low = (int)read.Long("S3_OVERLAY_CACHE_LOW_WATERMARK", 75, min: 0, max: 100);
        if (low >= high)
            throw new SettingException("S3_OVERLAY_CACHE_LOW_WATERMARK", $"{low} must be below S3_OVERLAY_CACHE_HIGH_WATERMARK ({high})");
        var flush = read.Duration("S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL", TimeSpan.FromSeconds(10));
        if (flush <= TimeSpan.Zero) throw new SettingException("S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL", "must be positive");
        return new CacheLimits(max == 0 ? null : max, high, low, flush);
    }
}
