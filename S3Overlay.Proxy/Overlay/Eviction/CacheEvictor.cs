using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// Keeps the cache under its cap (least recently used first, in the background, one eviction at
/// a time) and answers the admin API's reports and evictions. Only what was filled from the remote
/// is ever evicted; what clients wrote is theirs.
/// </summary>
/// <param name="peers">A fleet's replicas, null for a proxy on its own: a replica keeps to its share of <see cref="OverlaySettings.Limits"/>, as many as the replicas are now.</param>
internal sealed class CacheEvictor([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings, CacheIndex cache, FillRecords records, RemoteSource remote, BackgroundWork work, CacheReconciler reconciler,
    Keys.LocalKeys localKeys, ILogger<CacheEvictor> logger, Fleet.PeerSet? peers = null)
{
    private CacheLimits Limits => peers is null ? settings.Limits : settings.Limits.ShareOf(peers.All.Count);

    private int _evicting;

    // Set when the cache went over its high watermark while an eviction ran, past the snapshot that
    // eviction works through: it looks again when done, or a fleet's last fills stay over the cap
    // until some later fill (seen: a replica 4 units over its share once the fleet was idle).
    private int _overWhileEvicting;

    /// <summary>Whether an eviction is running (deleting units the index no longer counts).</summary>
    public bool Evicting => Volatile.Read(ref _evicting) != 0;

    /// <summary>The remote bucket a local one's chunks are kept under (its own name when it has no remote).</summary>
    private string ChunksBucketOf(string bucket) => remote.BucketOf(bucket) ?? bucket;

    /// <summary>Starts evicting in the background once the cache is over its high watermark.</summary>
    public void EvictIfOverHighWatermark()
    {
        if (Limits.HighBytes is not { } high || cache.TotalBytes <= high) return;
        if (Evicting) Volatile.Write(ref _overWhileEvicting, 1);
        StartEviction(() => Limits.LowBytes ?? long.MaxValue);
    }

    /// <summary>
    /// The local store had no room for <paramref name="bytes"/> (a fill, or a client's write):
    /// evicts the least recently read units worth at least that much (one at the least), in the
    /// background, so the next attempt fits, even with the cache under its cap. Only with a cap:
    /// without one nothing is evicted on its own, and the admin API evicts by hand.
    /// </summary>
    public void MakeRoom(long bytes)
    {
        if (Limits.MaxBytes is null) return;
        StartEviction(() => cache.TotalBytes - Math.Max(bytes, 1));
    }

    /// <param name="target">What the cache may hold once done, asked once the index is loaded.</param>
    private void StartEviction(Func<long> target)
    {
        if (Interlocked.CompareExchange(ref _evicting, 1, 0) != 0) return;
        if (!work.TryStart("eviction", ct => EvictDownToAsync(target, ct))) Volatile.Write(ref _evicting, 0);
    }

    private async Task EvictDownToAsync(Func<long> target, CancellationToken ct)
    {
        try
        {
            // Not before the start-up reconcile has ended: until then the index may name units
            // evicted elsewhere, whose bytes would make real units go for nothing, and a unit the
            // reconcile finds stored could be re-added while this deletes it.
            await reconciler.Done;
            var low = target();
            // A unit read while this runs keeps its place in the snapshot: eviction is approximate LRU,
            // as every cache's is, and never removes what is not the cache's.
            foreach (var entry in cache.Snapshot())
            {
                if (cache.TotalBytes <= low) break;
                await EvictAsync(entry, ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Eviction stopped early");
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
        if (Interlocked.Exchange(ref _overWhileEvicting, 0) != 0 && !ct.IsCancellationRequested) EvictIfOverHighWatermark();
    }

    /// <summary>What is cached of the local bucket's objects under a prefix (once the index a previous run left is read).</summary>
    public async Task<CacheReport> CachedUnderAsync(string bucket, string prefix, CancellationToken ct)
    {
        await cache.Loaded.WaitAsync(ct);
        return CacheReport.Of(EntriesUnder(bucket, prefix));
    }

    /// <summary>Evicts everything filled under a prefix of a local bucket; objects clients wrote stay.</summary>
    public async Task<CacheReport> EvictPrefixAsync(string bucket, string prefix, CancellationToken ct)
    {
        await cache.Loaded.WaitAsync(ct);
        var evicted = new List<CacheEntry>();
        foreach (var entry in EntriesUnder(bucket, prefix))
            if (await EvictAsync(entry, ct)) evicted.Add(entry);
        return CacheReport.Of(evicted);
    }

    /// <summary>Evicts one key: what the index knows of it, or else what its record says was filled (another proxy's fill).</summary>
    public async Task<CacheReport> EvictKeyAsync(string bucket, string key, CancellationToken ct)
    {
        await cache.Loaded.WaitAsync(ct);
        var remoteBucket = ChunksBucketOf(bucket);
        var candidates = new[] { new CacheEntryId(CacheEntryKind.Object, bucket, key), new CacheEntryId(CacheEntryKind.Chunks, remoteBucket, key) }
            .Select(cache.Find).OfType<CacheEntry>().ToList();
        if (candidates.Count == 0 && await HeldAsync(bucket, key, ct) is { } held && FillMetadata.RecordOf(held) is not null)
            candidates.Add(new CacheEntry(CacheEntryKind.Object, bucket, key, held.ETag, held.Size, 0, 0));
        if (candidates.Count == 0 && await records.ReadAsync(remoteBucket, key, ct) is { } record)
            candidates.Add(record.IsChunked
                ? new CacheEntry(CacheEntryKind.Chunks, remoteBucket, key, record.ETag, 0, 0, 0)
                : new CacheEntry(CacheEntryKind.Object, bucket, key, record.ETag, record.Size, 0, 0));
        var evicted = new List<CacheEntry>();
        foreach (var entry in candidates)
            if (await EvictAsync(entry, ct)) evicted.Add(entry);
        return CacheReport.Of(evicted);
    }

    private IEnumerable<CacheEntry> EntriesUnder(string bucket, string prefix)
    {
        var remoteBucket = ChunksBucketOf(bucket);
        return cache.Snapshot().Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)
                                           && e.Bucket == (e.Kind == CacheEntryKind.Object ? bucket : remoteBucket));
    }

    /// <returns>True when the unit was the cache's and is gone; false when it was a client's object or already gone.</returns>
    private async Task<bool> EvictAsync(CacheEntry entry, CancellationToken ct)
    {
        cache.Remove(entry.Id);
        try
        {
            return entry.Kind == CacheEntryKind.Object ? await EvictObjectAsync(entry, ct) : await EvictChunksAsync(entry, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not evict {Bucket}/{Key}", entry.Bucket, entry.Key);
            return false;
        }
    }

    /// <summary>
    /// A whole object is evicted only while it is still the filled generation: a client's PUT
    /// over it (here or on another proxy) gave it another ETag, or none of the fill's record in
    /// its metadata (<see cref="FillMetadata"/>; the same bytes give the same ETag), and it is
    /// then the client's. A copy filled before records rode in the copy is known by its record in
    /// the cache bucket. A reader that has it open keeps reading it (the file-system store's open
    /// handle; an S3 store's open GET stream).
    /// </summary>
    private async Task<bool> EvictObjectAsync(CacheEntry entry, CancellationToken ct)
    {
        if (await HeldAsync(entry.Bucket, entry.Key, ct) is not { } held || held.ETag != entry.ETag) return false;
        var remoteBucket = ChunksBucketOf(entry.Bucket);
        var record = await records.ReadAsync(remoteBucket, entry.Key, ct);
        var whole = record is { IsChunked: false };
        if (FillMetadata.RecordOf(held) is null && !(whole && record!.ETag == held.ETag)) return false;
        await local.DeleteObjectAsync(entry.Bucket, entry.Key, ct);
        localKeys.Forget(entry.Bucket, entry.Key); // its next cold read asks the remote at once
        // A record of the copy's in the cache bucket (a revalidation's, or an older fill's) goes with it.
        if (whole) await records.DeleteAsync(remoteBucket, entry.Key, ct);
        return true;
    }

    private async Task<ObjectInfo?> HeldAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await local.HeadObjectAsync(bucket, key, ReadConditions.None, ct);
        }
        catch (StorageException e) when (LocalBuckets.IsMiss(e))
        {
            return null;
        }
    }

    /// <summary>The manifest goes first, so no new read starts on chunks about to go; then every chunk of every generation.</summary>
    private async Task<bool> EvictChunksAsync(CacheEntry entry, CancellationToken ct)
    {
        var manifest = await records.ReadAsync(entry.Bucket, entry.Key, ct);
        if (manifest is { IsChunked: true }) await records.DeleteAsync(entry.Bucket, entry.Key, ct);
        var prefix = CacheKeys.ChunksOf(entry.Bucket, entry.Key);
        var any = false;
        string? after = null;
        while (true)
        {
            var page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(prefix, StartAfter: after), ct);
            foreach (var chunk in page.Objects)
            {
                await local.DeleteObjectAsync(settings.CacheBucket, chunk.Key, ct);
                any = true;
            }
            if (!page.IsTruncated) return any || manifest is not null;
            after = page.NextStartAfter;
        }
    }
}
