using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// Brings the eviction index in line with what is stored, once, after start-up: the index is
/// flushed every interval, so a proxy killed between flushes leaves fills the record never
/// named (never evicted, not counted against the cap) and may name units another proxy evicted.
/// Every fill record whose whole copy or chunks are stored is added (as the least recently used:
/// nothing says it was read), and every unit the store no longer holds is dropped. The store is
/// read a listing page at a time; nothing but the index itself is held in memory. In a fleet it
/// runs again whenever the replicas change (<see cref="CacheIndexFlusher"/>): each adopts what it
/// came to own and lets go of what another now owns.
/// </summary>
/// <param name="owns">In a fleet, the units this replica owns: it adopts only those (each replica accounts for its own).</param>
public sealed class CacheReconciler(IObjectStore local, OverlaySettings settings, CacheIndex cache, FillRecords records, ILogger logger, Func<CacheEntry, bool>? owns = null)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the reconcile of the index in memory has ended (finished, failed or cancelled at shutdown).</summary>
    public Task Done => _done.Task;

    /// <summary>True once the index, and its record in the store, agree with what was stored when the reconcile ran.</summary>
    public bool Reconciled => Volatile.Read(ref _reconciled);

    private bool _reconciled;

    /// <summary>Marks the reconcile ended without running (shutdown began first).</summary>
    public void Skip() => _done.TrySetResult();

    /// <summary>
    /// The reconcile of the index in memory; its record is the caller's to write (the index keeps
    /// what this pass dropped or corrected until a write carries it), and then to call <see cref="MarkReconciled"/>.
    /// </summary>
    /// <returns>False when it failed (logged).</returns>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        try
        {
            await cache.Loaded.WaitAsync(ct);
            // Dropping first, so a unit replaced by a newer fill is re-added with what is stored now;
            // in a fleet, also what another replica owns now (one came): it is that one's to account for.
            foreach (var entry in cache.Snapshot())
                if (!Owns(entry) || await OrSkippedAsync(() => IsStoredAsync(entry, ct), entry.Key, ct) == false) cache.Forget(entry);
            await AddRecordedAsync(ct);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not reconcile the cache index with the local store; fills since its last flush are not evicted");
            return false;
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Tells <see cref="Reconciled"/> (the admin report): once the record is written too.</summary>
    public void MarkReconciled() => Volatile.Write(ref _reconciled, true);

    /// <summary>
    /// One unit's check; null when the store failed on it (a torn object on a store that writes in
    /// place, a moment's 503). One unreadable unit is left as the index has it, not a reason to
    /// give up on every other: the pass goes on.
    /// </summary>
    private async Task<bool?> OrSkippedAsync(Func<Task<bool>> check, string key, CancellationToken ct)
    {
        try
        {
            return await check();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Cache index reconcile skipped {Key}", key);
            return null;
        }
    }

    /// <summary>Whether the unit is still stored; its chunks counted as stored (<see cref="CacheIndex.Correct"/>).</summary>
    private async Task<bool> IsStoredAsync(CacheEntry entry, CancellationToken ct)
    {
        if (entry.Kind == CacheEntryKind.Object)
            return await HeadAsync(entry.Bucket, entry.Key, ct) is { } held && held.ETag == entry.ETag;
        var (count, bytes) = await ChunksAsync(CacheKeys.ChunksOf(entry.Bucket, entry.Key), ct);
        if (count > 0) cache.Correct(entry with { Size = bytes, Chunks = count });
        return count > 0;
    }

    /// <summary>Every fill record, a listing page at a time: what it names that is stored joins the index.</summary>
    private async Task AddRecordedAsync(CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            ListPage page;
            try
            {
                page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(CacheKeys.ManifestPrefix, StartAfter: after), ct);
            }
            catch (StorageException e) when (LocalBuckets.IsMiss(e))
            {
                return;
            }
            foreach (var manifest in page.Objects)
                if (CacheKeys.ParseManifest(manifest.Key) is var (remoteBucket, key))
                    await OrSkippedAsync(async () =>
                    {
                        if (await records.ReadAsync(remoteBucket, key, ct) is { } record) await AddAsync(record, ct);
                        return true;
                    }, key, ct);
            if (!page.IsTruncated) return;
            after = page.NextStartAfter;
        }
    }

    private async Task AddAsync(FillRecord record, CancellationToken ct)
    {
        if (record.IsChunked)
        {
            var (count, bytes) = await ChunksAsync(CacheKeys.ChunksOfGeneration(record.RemoteBucket, record.Key, record.ETag, record.ChunkSize), ct);
            if (count > 0) Adopt(new CacheEntry(CacheEntryKind.Chunks, record.RemoteBucket, record.Key, null, bytes, count, 0));
            return;
        }
        // A whole fill sits in every local bucket mapped to its remote bucket that holds its generation.
        foreach (var bucket in LocalBucketsOf(record.RemoteBucket))
            if (await HeadAsync(bucket, record.Key, ct) is { } held && held.ETag == record.ETag && held.Size == record.Size)
                Adopt(new CacheEntry(CacheEntryKind.Object, bucket, record.Key, record.ETag, record.Size, 0, 0));
    }

    private void Adopt(CacheEntry stored)
    {
        if (Owns(stored)) cache.Reconcile(stored);
    }

    private bool Owns(CacheEntry unit) => owns?.Invoke(unit) ?? true;

    private IEnumerable<string> LocalBucketsOf(string remoteBucket)
    {
        var pairs = settings.Mapping.Pairs;
        var mapped = pairs.Where(p => p.Value == remoteBucket).Select(p => p.Key);
        return pairs.ContainsKey(remoteBucket) ? mapped : mapped.Append(remoteBucket).Distinct();
    }

    private async Task<ObjectInfo?> HeadAsync(string bucket, string key, CancellationToken ct)
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

    /// <summary>How many chunks are stored under a prefix, and their bytes.</summary>
    private async Task<(int Count, long Bytes)> ChunksAsync(string prefix, CancellationToken ct)
    {
        var (count, bytes) = (0, 0L);
        string? after = null;
        try
        {
            while (true)
            {
                var page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(prefix, StartAfter: after), ct);
                count += page.Objects.Count;
                bytes += page.Objects.Sum(o => o.Size);
                if (!page.IsTruncated) return (count, bytes);
                after = page.NextStartAfter;
            }
        }
        catch (StorageException e) when (LocalBuckets.IsMiss(e))
        {
            return (count, bytes);
        }
    }
}
