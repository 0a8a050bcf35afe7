using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>What the cache holds under a bucket and prefix (or what an eviction removed).</summary>
public sealed record CacheReport(int Objects, int ChunkedObjects, int Chunks, long Bytes)
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

public sealed partial class OverlayObjectStore
{
    private int _evicting;

    /// <summary>The eviction bookkeeping: what was filled from the remote, its size and last access.</summary>
    public CacheIndex Cache { get; }

    /// <summary>A client wrote or deleted the key: whatever was filled there is no longer the cache's to evict.</summary>
    private void BecameLocal(string bucket, string key) => Cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));

    /// <summary>Starts evicting in the background once the cache is over its high watermark (one eviction at a time).</summary>
    public void EvictIfOverHighWatermark()
    {
        if (_settings.Limits.HighBytes is not { } high || Cache.TotalBytes <= high) return;
        if (Interlocked.CompareExchange(ref _evicting, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await EvictToLowWatermarkAsync();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Eviction stopped early");
            }
            finally
            {
                Volatile.Write(ref _evicting, 0);
            }
        });
    }

    /// <summary>Evicts the least recently used units until the cache is at or under its low watermark.</summary>
    private async Task EvictToLowWatermarkAsync()
    {
        await Cache.Loaded;
        var low = _settings.Limits.LowBytes ?? long.MaxValue;
        // A unit read while this runs keeps its place in the snapshot: eviction is approximate LRU,
        // as every cache's is, and never removes what is not the cache's.
        foreach (var entry in Cache.Snapshot())
        {
            if (Cache.TotalBytes <= low) break;
            await EvictAsync(entry, CancellationToken.None);
        }
    }

    /// <summary>What is cached of the local bucket's objects under a prefix.</summary>
    public CacheReport CachedUnder(string bucket, string prefix) => CacheReport.Of(EntriesUnder(bucket, prefix));

    /// <summary>Evicts everything filled under a prefix of a local bucket; objects clients wrote stay.</summary>
    public async Task<CacheReport> EvictPrefixAsync(string bucket, string prefix, CancellationToken ct)
    {
        var evicted = new List<CacheEntry>();
        foreach (var entry in EntriesUnder(bucket, prefix))
            if (await EvictAsync(entry, ct)) evicted.Add(entry);
        return CacheReport.Of(evicted);
    }

    /// <summary>Evicts one key: what the index knows of it, or else what its manifest says was filled (another proxy's fill).</summary>
    public async Task<CacheReport> EvictKeyAsync(string bucket, string key, CancellationToken ct)
    {
        var remoteBucket = _settings.Mapping.RemoteBucketOf(bucket);
        var candidates = new[] { new CacheEntryId(CacheEntryKind.Object, bucket, key), new CacheEntryId(CacheEntryKind.Chunks, remoteBucket, key) }
            .Select(Cache.Find).OfType<CacheEntry>().ToList();
        if (candidates.Count == 0 && await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, remoteBucket, key, ct) is { } manifest)
            candidates.Add(manifest.IsChunked
                ? new CacheEntry(CacheEntryKind.Chunks, remoteBucket, key, manifest.ETag, 0, 0, 0)
                : new CacheEntry(CacheEntryKind.Object, bucket, key, manifest.ETag, manifest.Size, 0, 0));
        var evicted = new List<CacheEntry>();
        foreach (var entry in candidates)
            if (await EvictAsync(entry, ct)) evicted.Add(entry);
        return CacheReport.Of(evicted);
    }

    private IEnumerable<CacheEntry> EntriesUnder(string bucket, string prefix)
    {
        var remoteBucket = _settings.Mapping.RemoteBucketOf(bucket);
        return Cache.Snapshot().Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)
                                           && e.Bucket == (e.Kind == CacheEntryKind.Object ? bucket : remoteBucket));
    }

    /// <returns>True when the unit was the cache's and is gone; false when it was a client's object or already gone.</returns>
    private async Task<bool> EvictAsync(CacheEntry entry, CancellationToken ct)
    {
        Cache.Remove(entry.Id);
        try
        {
            return entry.Kind == CacheEntryKind.Object ? await EvictObjectAsync(entry, ct) : await EvictChunksAsync(entry, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not evict {Bucket}/{Key}", entry.Bucket, entry.Key);
            return false;
        }
    }

    /// <summary>
    /// A whole object is evicted only while it is still the filled generation: a client's PUT
    /// over it (here or on another proxy) gave it another ETag, and it is then the client's.
    /// A reader that has it open keeps reading it (the file-system store's open handle; an S3
    /// store's open GET stream).
    /// </summary>
    private async Task<bool> EvictObjectAsync(CacheEntry entry, CancellationToken ct)
    {
        ObjectInfo held;
        try
        {
            held = await _local.HeadObjectAsync(entry.Bucket, entry.Key, ReadConditions.None, ct);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            return false;
        }
        if (held.ETag != entry.ETag) return false;
        await _local.DeleteObjectAsync(entry.Bucket, entry.Key, ct);
        var remoteBucket = _settings.Mapping.RemoteBucketOf(entry.Bucket);
        if (await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, remoteBucket, entry.Key, ct) is { IsChunked: false })
            await _local.DeleteObjectAsync(_settings.CacheBucket, CacheKeys.Manifest(remoteBucket, entry.Key), ct);
        return true;
    }

    /// <summary>The manifest goes first, so no new read starts on chunks about to go; then every chunk of every generation.</summary>
    private async Task<bool> EvictChunksAsync(CacheEntry entry, CancellationToken ct)
    {
        var manifest = await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, entry.Bucket, entry.Key, ct);
        if (manifest is { IsChunked: true })
            await _local.DeleteObjectAsync(_settings.CacheBucket, CacheKeys.Manifest(entry.Bucket, entry.Key), ct);
        _manifestETags.TryRemove((entry.Bucket, entry.Key), out _);
        var prefix = CacheKeys.ChunksOf(entry.Bucket, entry.Key);
        var any = false;
        string? after = null;
        while (true)
        {
            var page = await _local.ListObjectsAsync(_settings.CacheBucket, new ListRequest(prefix, StartAfter: after), ct);
            foreach (var chunk in page.Objects)
            {
                await _local.DeleteObjectAsync(_settings.CacheBucket, chunk.Key, ct);
                any = true;
            }
            if (!page.IsTruncated) return any || manifest is not null;
            after = page.NextStartAfter;
        }
    }
}
