using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Keys;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;

namespace S3Overlay.Overlay.Records;

/// <summary>The local object, if any, and whether the remote has since replaced it.</summary>
/// <param name="Stale">The remote has a different object now; <paramref name="Remote"/> describes it.</param>
/// <param name="Seen">The record as it was read to revalidate the copy (null when it was not read).</param>
internal sealed record LocalCopy(ObjectInfo Info, bool Stale, ObjectInfo? Remote, RecordSeen? Seen = null)
{
    /// <summary>The key holds a whiteout (<see cref="Info"/> describes it): to clients, nothing.</summary>
    public bool WhitedOut { get; init; }

    /// <summary>The key holds the marker of an object cached in chunks (<see cref="Info"/> describes the marker): no copy; the record says what is cached.</summary>
    public bool ChunkMarked { get; init; }
}

/// <summary>
/// The fill records in the cache bucket (<see cref="FillRecord"/>): reading and writing them,
/// and revalidating what they describe against the remote once their check is older than the
/// revalidation TTL.
/// </summary>
/// <remarks>
/// The record of an object is also the generation every reader of the local store goes by: a read
/// about to serve a generation the record does not name makes the record name it first
/// (<see cref="AdoptAsync"/>), replacing only the version it read before it asked the remote. So
/// once any reader was served a generation, no later read finds an older one recorded, as S3's
/// read-after-write consistency requires.
/// </remarks>
internal sealed class FillRecords([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets,
    RemoteSource remote, OverlaySettings settings, TimeProvider clock, ILogger<FillRecords> logger, Events.RemoteChanges remoteChanges)
{
    // The generations being recorded now. Readers of one new generation record it once, the others
    // waiting for it, because two writes of one key at once are more than some S3 servers keep
    // whole (s3rver writes in place).
    private readonly ConcurrentDictionary<(string RemoteBucket, string Key, string ETag, bool Chunked), Lazy<Task<bool>>> _adopting = new();

    public Task<FillRecord?> ReadAsync(string remoteBucket, string key, CancellationToken ct) =>
        FillRecord.ReadAsync(local, settings.CacheBucket, remoteBucket, key, ct);

    /// <summary>The record of a local bucket's object as it is now; <see cref="RecordSeen.Nothing"/> when the bucket has no remote.</summary>
    public Task<RecordSeen> ReadSeenAsync(string bucket, string key, CancellationToken ct) =>
        remote.BucketOf(bucket) is { } remoteBucket ? FillRecord.ReadSeenAsync(local, settings.CacheBucket, remoteBucket, key, ct) : Task.FromResult(RecordSeen.Nothing);

    public async Task DeleteAsync(string remoteBucket, string key, CancellationToken ct) =>
        await local.DeleteObjectAsync(settings.CacheBucket, CacheKeys.Manifest(remoteBucket, key), ct);

    /// <summary>
    /// Makes the record of a local bucket's object name <paramref name="generation"/> (chunked in
    /// chunks of <paramref name="chunkSize"/>, or whole when 0), replacing exactly
    /// <paramref name="seen"/>: the caller read it before the remote described the generation.
    /// Awaited before the generation's first byte is served.
    /// </summary>
    /// <returns>
    /// False when another generation was recorded since <paramref name="seen"/> (the caller cannot
    /// tell which is newer: it asks the remote again). True when the record names the generation
    /// now, and also when it could not be written (a failed local write never fails a read). Never throws.
    /// </returns>
    public async Task<bool> AdoptAsync(string bucket, ObjectInfo generation, long chunkSize, RecordSeen seen)
    {
        if (remote.BucketOf(bucket) is not { } remoteBucket) return true;
        // The remote announced another generation since this one was read: served to its reader, not recorded as current.
        if (remoteChanges.Superseded(remoteBucket, generation.Key, generation.ETag)) return true;
        var id = (remoteBucket, generation.Key, generation.ETag, chunkSize > 0);
        var adopting = _adopting.GetOrAdd(id, _ => new Lazy<Task<bool>>(async () =>
        {
            var record = FillRecord.Of(remoteBucket, generation, chunkSize, clock.GetUtcNow());
            if (await TryWriteAsync(record, seen) is not false) return true;
            var now = await FillRecord.ReadSeenAsync(local, settings.CacheBucket, remoteBucket, generation.Key, CancellationToken.None);
            return now.Names(generation, chunkSize > 0);
        }));
        try
        {
            return await adopting.Value;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record the generation of {Bucket}/{Key}", remoteBucket, generation.Key);
            return true;
        }
        finally
        {
            _adopting.TryRemove(new KeyValuePair<(string, string, string, bool), Lazy<Task<bool>>>(id, adopting));
        }
    }

    /// <returns>True when written; false when <paramref name="replacing"/> was no longer there; null when the write failed (logged).</returns>
    private async Task<bool?> TryWriteAsync(FillRecord record, RecordSeen? replacing)
    {
        try
        {
            await localBuckets.EnsureAsync(settings.CacheBucket, CancellationToken.None);
            await record.WriteAsync(local, settings.CacheBucket, replacing, CancellationToken.None);
            return true;
        }
        catch (StorageException e) when (replacing is not null && e.Fault == StorageFault.PreconditionFailed)
        {
            return false;
        }
        catch (Exception e)
        {
            localBuckets.ForgetIfGone(settings.CacheBucket, e);
            logger.LogWarning(e, "Could not write the fill record of {Bucket}/{Key}", record.RemoteBucket, record.Key);
            return null;
        }
    }

    /// <summary>The local object, if any, and whether the remote has since replaced it (only asked once revalidation is due).</summary>
    public async Task<LocalCopy?> LocalCopyAsync(string bucket, string key, CancellationToken ct)
    {
        if (await local.FindObjectAsync(bucket, key, ct) is not { } info) return null;
        if (WhiteoutMarker.IsMarker(info)) return new LocalCopy(info, false, null) { WhitedOut = true };
        if (Chunks.ChunkMarkers.IsMarker(info)) return new LocalCopy(info, false, null) { ChunkMarked = true };
        return await CheckAsync(bucket, info, ct);
    }

    /// <summary>
    /// Whether a stored object (as the local store described it, its metadata whole) is still the
    /// remote's current one; its description as clients see it in <see cref="LocalCopy.Info"/>.
    /// </summary>
    /// <remarks>
    /// Only a copy that came from the remote is checked against it: one that carries its fill
    /// record (<see cref="FillMetadata"/>), or, filled before records rode in the copy, whose record
    /// in the cache bucket names its ETag. An object written here is the local store's own and wins.
    /// The cache bucket is read only when the copy's own record is due, or it has none: what that
    /// read found is remembered for the copy's generation until it is due again, so a warm hit
    /// stays one request of the local store.
    /// </remarks>
    public async Task<LocalCopy> CheckAsync(string bucket, ObjectInfo stored, CancellationToken ct)
    {
        var shown = FillMetadata.Strip(stored);
        if (settings.RevalidateAfter is null || remote.BucketOf(bucket) is null) return new LocalCopy(shown, false, null);
        var carried = FillMetadata.RecordOf(stored);
        if (carried is not null && !Due(carried.ValidatedAt)) return new LocalCopy(shown, false, null);
        if (_checked.TryGetValue(KeyDigest.Of(bucket, stored.Key, stored.ETag), out var validated)
            && (validated is { } at ? !Due(at) : carried is null))
            return new LocalCopy(shown, false, null);

        var seen = await ReadSeenAsync(bucket, stored.Key, ct);
        var record = FillMetadata.RecordOf(stored, seen.Record);
        Remember(bucket, stored, record?.ValidatedAt);
        if (record is null) return new LocalCopy(shown, false, null, seen);
        var changed = await RevalidateAsync(bucket, record, seen, ct);
        return new LocalCopy(shown, changed is not null, changed, seen);
    }

    private bool Due(DateTimeOffset validatedAt) => clock.GetUtcNow() - validatedAt >= settings.RevalidateAfter;

    // What the cache bucket said of a stored generation (by local bucket, key and ETag, as their
    // KeyDigest: about 6 MiB when full, not 26 MiB of strings): the time the remote last confirmed
    // it, or null for an object the overlay did not fill. A digest shared by two generations would
    // skip one copy's record read until the other's check is due, at a chance of about 2^-128.
    // Cleared wholesale when large: a generation lost that way costs one more read of its record.
    private readonly ConcurrentDictionary<UInt128, DateTimeOffset?> _checked = new();
    private const int CheckedKept = 65536;

    private void Remember(string bucket, ObjectInfo stored, DateTimeOffset? validatedAt)
    {
        if (_checked.Count >= CheckedKept) _checked.Clear();
        _checked[KeyDigest.Of(bucket, stored.Key, stored.ETag)] = validatedAt;
    }

    /// <summary>The chunked object's manifest in <paramref name="seen"/>, unless the remote has replaced the object since.</summary>
    public async Task<FillRecord?> CurrentManifestAsync(string bucket, RecordSeen seen, CancellationToken ct)
    {
        if (seen.Record is not { IsChunked: true } manifest) return null;
        if (settings.RevalidateAfter is not null && await RevalidateAsync(bucket, manifest, seen, ct) is not null) return null;
        return manifest;
    }

    /// <param name="cached">What is cached: the record in <paramref name="seen"/>, or a whole copy's own (<see cref="FillMetadata"/>).</param>
    /// <returns>The remote's new description when it changed; null when unchanged, or when the
    /// remote cannot say (down, or the object gone): the cached copy is then served as it is.</returns>
    private async Task<ObjectInfo?> RevalidateAsync(string bucket, FillRecord cached, RecordSeen seen, CancellationToken ct)
    {
        if (!Due(cached.ValidatedAt)) return null;
        try
        {
            if (await remote.ChangedSinceAsync(bucket, cached.Key, cached.ETag, ct) is { } changed) return changed;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Serving the cached {Bucket}/{Key}: the remote could not revalidate it ({Reason})", cached.RemoteBucket, cached.Key, e.Message);
            return null;
        }
        // A whole copy's check is refreshed in a record of its own in the cache bucket, not by
        // rewriting the copy's metadata: the seam has no metadata rewrite every store does, and a
        // copy onto itself on a server that ignores its condition (s3rver does) could turn a
        // client's write that landed meanwhile into a "fill", which eviction deletes. It costs a
        // read of that record once the copy's own check is due, remembered until it is due again;
        // a revalidation is rare, a fill is not. Never over a chunked object's manifest; and only
        // over the version read: a newer generation recorded meanwhile stays.
        var now = clock.GetUtcNow();
        if (!cached.IsChunked && seen.Record is { IsChunked: true }) return null;
        if (await TryWriteAsync(cached with { ValidatedAt = now }, seen) is true && !cached.IsChunked)
            _checked[KeyDigest.Of(bucket, cached.Key, cached.ETag)] = now;
        return null;
    }
}
