using System.Text.Json;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// The eviction bookkeeping: every unit filled from the remote (a whole object, or the chunks of
/// one), its size and its last access. Reads and fills update it in memory only (a dictionary
/// write: the hit path stays cheap); <see cref="FlushAsync"/> merges it into one small record in
/// the cache bucket of the local store, so it survives restarts and proxies sharing the store
/// learn each other's fills. What a proxy evicted is left out of the record it writes.
/// </summary>
/// <remarks>
/// The merge is last-writer-wins per flush, so two proxies may briefly disagree; a unit one of
/// them already evicted is found gone when the other tries (and dropped), never served wrongly.
/// </remarks>
/// <param name="peers">A fleet's replicas, null for a proxy on its own: a replica keeps its record apart (<see cref="ReplicaRecordKey"/>).</param>
internal sealed class CacheIndex([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, OverlaySettings settings, TimeProvider clock, ILogger<CacheIndex> logger,
    Fleet.PeerSet? peers = null)
{
    private readonly string _recordKey = peers is null ? RecordKey : ReplicaRecordKey(peers.Self.Url);

    public const string RecordKey = "eviction/index.json";

    /// <summary>
    /// A fleet's replica keeps the record of what it owns apart from the others' (one writer each):
    /// merged into one, every replica would count, and evict, the whole fleet's units.
    /// </summary>
    public static string ReplicaRecordKey(Uri self) => $"eviction/replicas/{Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(self.Authority))}.json";

    private readonly Lock _lock = new();
    private readonly Dictionary<CacheEntryId, CacheEntry> _entries = new();
    // Units this proxy removed or corrected, each with the change number it was marked at: the next
    // flush keeps this proxy's view of them over the stored record's, and only a write that
    // succeeded ends a mark (a mark dropped with a failed write let the retry merge a removed unit
    // back from the record). A mark newer than the flush that wrote stays for the next one.
    private readonly Dictionary<CacheEntryId, long> _removed = new();
    private readonly Dictionary<CacheEntryId, long> _corrected = new();
    private long _changes;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _total;
    private bool _dirty;

    /// <summary>Bytes filled from the remote and still cached, as far as this proxy knows.</summary>
    public long TotalBytes => Interlocked.Read(ref _total);

    /// <summary>
    /// Whether the record in the local store has everything this proxy knows: nothing changed
    /// since the last write, and no write under way. (The record lags what is stored by a flush:
    /// an eviction deletes what it no longer counts, and a fill stores before it is counted.)
    /// </summary>
    public bool Saved => !Volatile.Read(ref _dirty) && _flushing.CurrentCount == 1;

    /// <summary>Completes once the record in the local store has been read (after a restart).</summary>
    public Task Loaded => _loaded.Task;

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A whole object was filled into its local bucket.</summary>
    public void RecordObject(string bucket, string key, string etag, long size) =>
        Put(new CacheEntry(CacheEntryKind.Object, bucket, key, etag, size, 0, Now), replace: true);

    /// <summary>One more chunk of a remote object was stored.</summary>
    public void RecordChunk(string remoteBucket, string key, long length)
    {
        var id = new CacheEntryId(CacheEntryKind.Chunks, remoteBucket, key);
        lock (_lock)
        {
            var entry = _entries.TryGetValue(id, out var known)
                ? known with { Size = known.Size + length, Chunks = known.Chunks + 1, LastAccess = Now }
                : new CacheEntry(CacheEntryKind.Chunks, remoteBucket, key, null, length, 1, Now);
            PutLocked(entry, replace: true);
        }
    }

    /// <summary>A read was served from the cache: the unit becomes the most recently used (no-op for anything not filled).</summary>
    public void Touch(CacheEntryKind kind, string bucket, string key)
    {
        var id = new CacheEntryId(kind, bucket, key);
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var entry)) return;
            _entries[id] = entry with { LastAccess = Now };
            _dirty = true;
        }
    }

    /// <summary>The unit is no longer the cache's (evicted, or a client wrote over the object).</summary>
    public void Remove(CacheEntryId id)
    {
        lock (_lock)
        {
            if (!_entries.Remove(id, out var entry)) return;
            _total -= entry.Size;
            _removed[id] = ++_changes;
            _dirty = true;
        }
    }

    /// <summary>
    /// A unit found stored that the index lacks, or counts fewer chunks of (filled after the last
    /// flush of a run that was killed): added as the least recently used, or raised to what is stored.
    /// </summary>
    public void Reconcile(CacheEntry stored)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(stored.Id, out var known)
                && (known.Kind == CacheEntryKind.Chunks ? known.Chunks >= stored.Chunks : known.ETag == stored.ETag)) return;
            PutLocked(known is null ? stored : stored with { LastAccess = known.LastAccess }, replace: true);
        }
    }

    /// <summary>
    /// The chunks of a unit stored are not what the index counts: an eviction killed midway through
    /// its deletes left fewer, or a chunk stored again was counted twice (the count is of stores, not
    /// of chunk numbers). The unit comes to what is stored, and the next flush writes it so instead
    /// of keeping the record's larger figures, as a merge otherwise would.
    /// </summary>
    public void Correct(CacheEntry stored)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(stored.Id, out var known) || (known.Chunks, known.Size) == (stored.Chunks, stored.Size)) return;
            PutLocked(known with { Size = stored.Size, Chunks = stored.Chunks }, replace: true);
            _corrected[stored.Id] = ++_changes;
        }
    }

    /// <summary>Drops a unit found no longer stored, unless it was filled again meanwhile.</summary>
    public void Forget(CacheEntry gone)
    {
        // Lock is reentrant: the check and the removal are one step.
        lock (_lock)
            if (_entries.TryGetValue(gone.Id, out var known) && known.ETag == gone.ETag && known.Chunks <= gone.Chunks) Remove(gone.Id);
    }

    public CacheEntry? Find(CacheEntryId id)
    {
        lock (_lock) return _entries.GetValueOrDefault(id);
    }

    /// <summary>Every unit, least recently used first.</summary>
    public IReadOnlyList<CacheEntry> Snapshot()
    {
        lock (_lock) return _entries.Values.OrderBy(e => e.LastAccess).ToList();
    }

    private void Put(CacheEntry entry, bool replace)
    {
        lock (_lock) PutLocked(entry, replace);
    }

    private void PutLocked(CacheEntry entry, bool replace)
    {
        if (_entries.TryGetValue(entry.Id, out var known))
        {
            if (!replace) return;
            _total -= known.Size;
        }
        _entries[entry.Id] = entry;
        _total += entry.Size;
        _removed.Remove(entry.Id);
        _dirty = true;
    }

    /// <summary>Reads the record a previous run (or another proxy) left; fills recorded meanwhile are kept.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        try
        {
            foreach (var stored in await ReadRecordAsync(ct)) Merge(stored);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not read the cache index; eviction starts from what this run fills");
        }
        finally
        {
            _loaded.TrySetResult();
        }
    }

    /// <summary>Merges this proxy's view with the stored record and writes the result back (only when something changed).</summary>
    /// <returns>False when the record could not be written (logged; the next flush tries again).</returns>
    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        await _flushing.WaitAsync(ct);
        try
        {
            if (!Volatile.Read(ref _dirty)) return true;
            var stored = await ReadRecordAsync(ct);
            List<CacheEntry> merged;
            long written;
            lock (_lock)
            {
                _dirty = false;
                written = _changes;
                foreach (var entry in stored)
                    if (!_removed.ContainsKey(entry.Id) && !_corrected.ContainsKey(entry.Id)) MergeLocked(entry);
                merged = _entries.Values.ToList();
            }
            var json = JsonSerializer.SerializeToUtf8Bytes(merged, OverlayJson.Default.ListCacheEntry);
            await localBuckets.EnsureAsync(settings.CacheBucket, ct);
            await local.PutObjectAsync(settings.CacheBucket, _recordKey, new MemoryStream(json),
                new ObjectWrite { ContentLength = json.Length, Metadata = new ObjectMetadata { ContentType = "application/json" } }, ct);
            lock (_lock)
            {
                EndMarks(_removed, written);
                EndMarks(_corrected, written);
            }
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Volatile.Write(ref _dirty, true);
            logger.LogWarning(e, "Could not write the cache index; retrying at the next flush");
            return false;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Ends the marks the record now carries: those made up to the change <paramref name="written"/>.</summary>
    private static void EndMarks(Dictionary<CacheEntryId, long> marks, long written)
    {
        foreach (var (id, change) in marks)
            if (change <= written) marks.Remove(id);
    }

    private void Merge(CacheEntry stored)
    {
        lock (_lock) MergeLocked(stored);
    }

    /// <summary>Another writer's view of a unit: the larger size (chunks this proxy has not seen) and the later access win.</summary>
    private void MergeLocked(CacheEntry stored)
    {
        if (!_entries.TryGetValue(stored.Id, out var mine))
        {
            _entries[stored.Id] = stored;
            _total += stored.Size;
            return;
        }
        var merged = mine with
        {
            Size = Math.Max(mine.Size, stored.Size),
            Chunks = Math.Max(mine.Chunks, stored.Chunks),
            LastAccess = Math.Max(mine.LastAccess, stored.LastAccess),
        };
        _total += merged.Size - mine.Size;
        _entries[stored.Id] = merged;
    }

    private async Task<List<CacheEntry>> ReadRecordAsync(CancellationToken ct)
    {
        try
        {
            await using var content = await local.GetObjectAsync(settings.CacheBucket, _recordKey, ObjectReadRequest.Whole, ct);
            return await JsonSerializer.DeserializeAsync(content.Body, OverlayJson.Default.ListCacheEntry, ct) ?? [];
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return [];
        }
        // Not JSON, or torn by a store that writes in place: never readable again, so this
        // proxy's view is written over it at the next flush (other proxies merge theirs after).
        catch (Exception e) when (e is JsonException or CorruptBodyException)
        {
            logger.LogWarning(e, "The cache index is unreadable; it is written anew from what this proxy knows");
            Volatile.Write(ref _dirty, true);
            return [];
        }
    }
}
