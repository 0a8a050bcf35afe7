using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay;

/// <summary>How the overlay caches what it reads from the remote (read once at start-up).</summary>
/// <param name="CacheEnabled">Whether a bucket without a say of its own caches (<c>S3_OVERLAY_CACHE_ENABLED</c>); false (the original's default): remote bodies stream to the client and nothing is stored. <see cref="Caches"/> says it per bucket.</param>
/// <param name="ChunkThreshold">Objects larger than this are cached in chunks rather than whole.</param>
/// <param name="ChunkSize">The size of every chunk but an object's last.</param>
/// <param name="CacheBucket">The local bucket that holds chunks and manifests; hidden from clients.</param>
/// <param name="NegativeLookupTtl">How long a remote "not found" is remembered; zero remembers nothing.</param>
/// <param name="RevalidateAfter">Age after which a cached object is checked against the remote; null trusts it forever.</param>
/// <param name="SpillDirectory">Where fills in flight keep the bytes their readers follow (deleted as soon as they are read): the configured folder, inside which each process claims its own (<see cref="Fills.SpillFolderClaim"/>).</param>
internal sealed record OverlaySettings(
    BucketMapping Mapping,
    bool CacheEnabled,
    long ChunkThreshold,
    long ChunkSize,
    string CacheBucket,
    TimeSpan NegativeLookupTtl,
    TimeSpan? RevalidateAfter,
    string SpillDirectory)
{
    public const long MiB = 1024 * 1024;

    /// <summary>Buckets that say for themselves whether they cache (<c>Overlay:Buckets:NAME:Cache</c>).</summary>
    public IReadOnlyDictionary<string, bool> BucketCache { get; init; } = new Dictionary<string, bool>();

    /// <summary>Whether what the remote answers for this bucket is kept, or only streamed through.</summary>
    public bool Caches(string bucket) => BucketCache.TryGetValue(bucket, out var own) ? own : CacheEnabled;

    /// <summary>Whether any bucket caches: what is set up for keeping fills at all (their spill files on the local store's own disk).</summary>
    public bool CachesAny => CacheEnabled || BucketCache.Values.Any(caches => caches);

    /// <summary>The cache's cap and watermarks (unlimited unless set).</summary>
    public Eviction.CacheLimits Limits { get; init; } = Eviction.CacheLimits.Unlimited;

    /// <summary>Whether listings show local ∪ remote − whiteouts (true) or the local store's keys only.</summary>
    public bool MergeListings { get; init; } = true;

    /// <summary>The remote buckets the overlay may read (the mapping's, those listed, or all).</summary>
    public RemoteBuckets RemoteBuckets { get; init; } = RemoteBuckets.All;

    /// <summary>How long a remote listing page is served again without asking the remote; zero asks every time.</summary>
    public TimeSpan ListingCacheTtl { get; init; }

    /// <summary>While the remote fails, how old a remembered listing page may be and still be served (marked stale); zero serves none.</summary>
    public TimeSpan StaleIfError { get; init; }

    /// <summary>While the remote is down, list its part from what the local store holds (marked); false answers the failure.</summary>
    public bool DegradedListings { get; init; }

    /// <summary>Fills from the remote running at once, past which a new one is refused with 503 SlowDown.</summary>
    public int MaxFills { get; init; } = (int)CacheCatalog.MaxFills.Default;

    /// <summary>Whether a cold read of a key known not to be local starts the remote's GET beside the local read (<see cref="Fills.EarlyRemoteRead"/>).</summary>
    public bool EarlyRemoteReads { get; init; } = CacheCatalog.EarlyRemoteReads.Default;

    public static OverlaySettings From(SettingReader read)
    {
        var chunkSize = CacheCatalog.ChunkSize.Read(read);
        var threshold = CacheCatalog.ChunkThreshold.Read(read);
        if (threshold < chunkSize)
            throw CacheCatalog.ChunkThreshold.Invalid($"{threshold} is below {CacheCatalog.ChunkSize} ({chunkSize}); a chunked object must have more than one chunk");
        var cacheBucket = CacheCatalog.CacheBucket.Read(read)!;
        var mapping = BucketMapping.Parse(RemoteCatalog.BucketMapping.Read(read));
        if (mapping.Pairs.ContainsKey(cacheBucket))
            throw RemoteCatalog.BucketMapping.Invalid($"the cache bucket '{cacheBucket}' cannot be mapped");
        return new OverlaySettings(
            mapping,
            CacheEnabled: CacheCatalog.CacheEnabled.Read(read),
            ChunkThreshold: threshold,
            ChunkSize: chunkSize,
            CacheBucket: cacheBucket,
            NegativeLookupTtl: CacheCatalog.NegativeCacheTtl.Read(read),
            RevalidateAfter: CacheCatalog.RevalidateAfter.ReadOptional(read),
            SpillDirectory: CacheCatalog.SpillDir.Read(read)!)
        {
            Limits = Eviction.CacheLimits.From(read),
            MergeListings = CacheCatalog.MergeListings.Read(read),
            RemoteBuckets = RemoteBuckets.From(read, mapping),
            MaxFills = (int)CacheCatalog.MaxFills.Read(read),
            ListingCacheTtl = CacheCatalog.ListingCacheTtl.Read(read),
            StaleIfError = CacheCatalog.StaleIfError.Read(read),
            DegradedListings = CacheCatalog.DegradedListings.Read(read),
            EarlyRemoteReads = CacheCatalog.EarlyRemoteReads.Read(read),
        };
    }
}
