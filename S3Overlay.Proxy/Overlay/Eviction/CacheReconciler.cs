using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Markers;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Keys;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// Brings the eviction index in line with what is stored, once, after start-up: the index is
/// flushed every interval, so a proxy killed between flushes leaves fills the record never
/// named (never evicted, not counted against the cap) and may name units another proxy evicted.
/// Every whole copy that carries its fill record (<see cref="FillMetadata"/>: a listing of each
/// bucket the remote backs, and a HEAD of each object there the index does not already name), and
/// every record in the cache bucket whose whole copy or chunks are stored, is added (as the least
/// recently used: nothing says it was read); every unit the store no longer holds is dropped. The store is
/// read a listing page at a time; nothing but the index itself is held in memory. In a fleet it
/// runs again whenever the replicas change (<see cref="CacheIndexFlusher"/>): each adopts what it
/// came to own and lets go of what another now owns.
/// </summary>
/// <param name="remote">Whether the remote backs a local bucket: its objects may be fills.</param>
/// <param name="peers">A fleet's replicas, null for a proxy on its own: a replica adopts only the units it owns (each accounts for its own).</param>
internal sealed class CacheReconciler([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings, CacheIndex cache, FillRecords records, RemoteSource remote, ILogger<CacheReconciler> logger,
    Fleet.PeerSet? peers = null)
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
            await AddFilledCopiesAsync(ct);
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

    // Objects (bucket, key, ETag as listed, as their KeyDigest: about 6 MiB when full, not 37 MiB of
    // strings) a pass looked at and found no fill's: a fleet's next pass (a replica came or went)
    // does not look at them again. A digest shared with a fill's copy would leave that copy out of
    // the index, not evicted until the next start, at a chance of about 2^-128. Cleared wholesale when large.
    private readonly ConcurrentDictionary<UInt128, bool> _clients = new();
    private const int ClientsKept = 100_000;

    private void RememberClients(UInt128 listed)
    {
        if (_clients.Count >= ClientsKept) _clients.Clear();
        _clients[listed] = true;
    }

    /// <summary>
    /// Every whole copy filled into a bucket the remote backs, a listing page at a time: each
    /// carries its record. On an S3 store a listing tells no metadata, so each object not known
    /// yet is looked at (a HEAD): once a process, a cost of the start-up, not of any request. The
    /// embedded store's listing tells it all (<see cref="ObjectInfo.MetadataWhole"/>): no HEAD.
    /// </summary>
    private async Task AddFilledCopiesAsync(CancellationToken ct)
    {
        foreach (var bucket in await local.ListBucketsAsync(ct))
        {
            if (bucket.Name == settings.CacheBucket || !remote.Backs(bucket.Name)) continue;
            string? after = null;
            while (true)
            {
                ListPage page;
                try
                {
                    page = await local.ListObjectsAsync(bucket.Name, new ListRequest(StartAfter: after), ct);
                }
                catch (StorageException e) when (LocalBuckets.IsMiss(e))
                {
                    break;
                }
                foreach (var listed in page.Objects)
                {
                    // What the index names as it is listed, whiteouts, and what an earlier pass found a client's need no look.
                    var unit = new CacheEntry(CacheEntryKind.Object, bucket.Name, listed.Key, listed.ETag, listed.Size, 0, 0);
                    var seen = KeyDigest.Of(bucket.Name, listed.Key, listed.ETag);
                    if (MarkerObject.IsAny(listed) || !Owns(unit) || cache.Find(unit.Id) is { } known && known.ETag == listed.ETag || _clients.ContainsKey(seen)) continue;
                    // A listing that tells the whole metadata (the embedded store's) needs no look either.
                    if (listed.MetadataWhole && FillMetadata.RecordOf(listed) is null) continue;
                    await OrSkippedAsync(async () =>
                    {
                        var held = FillMetadata.RecordOf(listed) is not null ? listed : await HeadAsync(bucket.Name, listed.Key, ct);
                        if (held is not null && FillMetadata.RecordOf(held) is not null) Adopt(unit with { ETag = held.ETag, Size = held.Size });
                        else if (held is not null) RememberClients(seen);
                        return true;
                    }, listed.Key, ct);
                }
                if (!page.IsTruncated || page.NextStartAfter is null) break;
                after = page.NextStartAfter;
            }
        }
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

    private bool Owns(CacheEntry unit) => peers is null || peers.OwnerOf(unit.Bucket + "/" + unit.Key).IsSelf;

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
