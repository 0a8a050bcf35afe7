namespace S3Overlay.Configuration.Catalog;

/// <summary>How the overlay reads, keeps and lists what the remote holds (Overlay/OverlaySettings.cs, Overlay/Eviction/CacheLimits.cs).</summary>
internal static class CacheCatalog
{
    private const long MiB = 1024 * 1024;

    public static readonly LongSetting MaxFills = new("S3_OVERLAY_MAX_FILLS", 64,
        "Fills from the remote (whole objects and chunks) running at once; past it a read that needs a new fill gets `503 SlowDown` (readers joining a fill in flight are not counted)")
    { Min = 1, Max = 100_000 };

    public static readonly BoolSetting CacheEnabled = new("S3_OVERLAY_CACHE_ENABLED", false,
        "Keep what is read from the remote in the local store. Off: remote bodies stream through and nothing is stored")
    { Flag = "--cache", FlagMeaning = "Keep what is read from the remote: on or off (true/false)" };

    public static readonly LongSetting ChunkThreshold = new("S3_OVERLAY_CHUNK_THRESHOLD", 50 * MiB,
        "Objects larger than this are cached in chunks; must be at least the chunk size")
    { Min = 0, Note = "50 MiB", Flag = "--chunk-threshold", FlagMeaning = "Objects larger than this (bytes) are cached in chunks" };

    public static readonly LongSetting ChunkSize = new("S3_OVERLAY_CHUNK_SIZE", 16 * MiB,
        "Size of the chunks of a large object (64 KiB–5 GiB)")
    { Min = 64 * 1024, Max = 5 * 1024 * MiB, Note = "16 MiB", Flag = "--chunk-size", FlagMeaning = "Chunk size (bytes) of large cached objects" };

    public static readonly TextSetting CacheBucket = new("S3_OVERLAY_CACHE_BUCKET", "s3-overlay-cache",
        "Local bucket holding chunks and manifests; hidden from and refused to clients");

    public static readonly DurationSetting NegativeCacheTtl = new("S3_OVERLAY_NEGATIVE_CACHE_TTL", TimeSpan.FromSeconds(5),
        "How long a remote \"no such key\" is remembered; `0` remembers nothing");

    public static readonly DurationSetting ListingCacheTtl = new("S3_OVERLAY_LISTING_CACHE_TTL", TimeSpan.Zero,
        "How long a remote listing page is answered again without asking the remote (GDAL lists a folder on every open); `0` asks every time. A remote change shows in listings at most this late");

    public static readonly DurationSetting StaleIfError = new("S3_OVERLAY_STALE_IF_ERROR", TimeSpan.Zero,
        "While the remote fails (5xx, unreachable), a listing page it answered within this window is served again, marked `x-s3overlay-stale: listing`, and a key it said it lacked within the window is `404 NoSuchKey` again, marked `x-s3overlay-stale: not-found` (RFC 5861's stale-if-error); `0` answers the failure");

    public static readonly BoolSetting DegradedListings = new("S3_OVERLAY_DEGRADED_LISTINGS", false,
        "While the remote is down (and no stale page serves), list its part from what the local store holds of it (whole copies, chunk-cached objects' manifests, minus whiteouts), marked `x-s3overlay-stale: local-only`. Opt-in: a partial listing can make a sync tool delete what it does not see");

    /// <summary>Unset trusts cached objects forever (like Sippy); 0 checks on every read.</summary>
    public static readonly DurationSetting RevalidateAfter = new("S3_OVERLAY_REVALIDATE_AFTER", null,
        "Age (seconds or `hh:mm:ss`) after which a cached object is checked against the remote; `0` checks on every read")
    { Note = "trust cached objects forever" };

    public static readonly BoolSetting EarlyRemoteReads = new("S3_OVERLAY_EARLY_REMOTE_READS", true,
        "A read of a key the local store is known not to hold (an index of its keys, listed once at start and kept by this proxy's own writes and fills) asks the remote at the same time as the local store, so a cold read costs the remote's answer, not both in turn. The local store's answer still wins; a key another process wrote costs one remote GET too many at this proxy's first read of it. `false` asks the remote only after the local miss");

    public static readonly BoolSetting MergeListings = new("S3_OVERLAY_MERGE_LISTINGS", true,
        "Listings show local ∪ remote objects minus whiteouts; `false` lists the local store's objects only");

    public static readonly PathSetting SpillDir = new("S3_OVERLAY_SPILL_DIR", PathSetting.Temp + "/s3-overlay-spill",
        "Scratch folder for fills in flight when the local store is an S3 server (each process spills into an owner-only folder of its own there, `run-ID/`, locked (`flock`) for its life; each file is deleted as soon as its readers are done; the folders of runs that ended, a crash included, are removed when the next proxy starts, whatever their age, never a live one's). With the embedded store a fill writes to the store's own `tmp/` instead, and that file becomes the local copy");

    public static readonly LongSetting CacheMaxBytes = new("S3_OVERLAY_CACHE_MAX_BYTES", 0,
        "Cap on what the cache holds from the remote (bytes); see [Bounded cache](cache-and-admin.md#bounded-cache)")
    { Min = 0, Note = "unlimited", Flag = "--cache-max-bytes", FlagMeaning = "Cap on what the cache holds from the remote (bytes)" };

    public static readonly LongSetting CacheHighWatermark = new("S3_OVERLAY_CACHE_HIGH_WATERMARK", 90,
        "Percent of the cap above which eviction starts")
    { Min = 1, Max = 100 };

    public static readonly LongSetting CacheLowWatermark = new("S3_OVERLAY_CACHE_LOW_WATERMARK", 75,
        "Percent of the cap eviction brings the cache down to; must be below the high watermark")
    { Min = 0, Max = 100 };

    public static readonly DurationSetting CacheIndexFlushInterval = new("S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL", TimeSpan.FromSeconds(10),
        "How often the eviction bookkeeping (sizes, last reads) is written to the local store")
    { Positive = true };
}
