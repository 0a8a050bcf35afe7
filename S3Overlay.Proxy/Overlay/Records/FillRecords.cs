using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>The local object, if any, and whether the remote has since replaced it.</summary>
/// <param name="Stale">The remote has a different object now; <paramref name="Remote"/> describes it.</param>
/// <param name="Seen">The record as it was read to revalidate the copy (null when it was not read).</param>
public sealed record LocalCopy(ObjectInfo Info, bool Stale, ObjectInfo? Remote, RecordSeen? Seen = null)
{
    /// <summary>The key holds a whiteout (<see cref="Info"/> describes it): to clients, nothing.</summary>
    public bool WhitedOut { get; init; }
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
public sealed class FillRecords(IObjectStore local, RemoteSource remote, OverlaySettings settings, TimeProvider clock, ILogger logger)
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

    /// <summary>Writes a record; a failure only costs a later remote request.</summary>
    public async Task WriteAsync(FillRecord record) => await TryWriteAsync(record, replacing: null);

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
            await LocalBuckets.EnsureAsync(local, settings.CacheBucket, CancellationToken.None);
            await record.WriteAsync(local, settings.CacheBucket, replacing, CancellationToken.None);
            return true;
        }
        catch (StorageException e) when (replacing is not null && e.Fault == StorageFault.PreconditionFailed)
        {
            return false;
        }
        catch (Exception e)
        {
            LocalBuckets.ForgetIfGone(local, settings.CacheBucket, e);
            logger.LogWarning(e, "Could not write the fill record of {Bucket}/{Key}", record.RemoteBucket, record.Key);
            return null;
        }
    }

    /// <summary>The local object, if any, and whether the remote has since replaced it (only asked once revalidation is due).</summary>
    public async Task<LocalCopy?> LocalCopyAsync(string bucket, string key, CancellationToken ct)
    {
        if (await local.FindObjectAsync(bucket, key, ct) is not { } info) return null;
        if (WhiteoutMarker.IsMarker(info)) return new LocalCopy(info, false, null) { WhitedOut = true };
        if (settings.RevalidateAfter is null || remote.BucketOf(bucket) is null) return new LocalCopy(info, false, null);

        // Only a copy that came from the remote is checked against it: its fill record names the
        // same ETag. An object written here is the local store's own and wins.
        var seen = await ReadSeenAsync(bucket, key, ct);
        if (seen.Record is not { IsChunked: false } record || record.ETag != info.ETag) return new LocalCopy(info, false, null, seen);
        var changed = await RevalidateAsync(bucket, seen, ct);
        return new LocalCopy(info, changed is not null, changed, seen);
    }

    /// <summary>The chunked object's manifest in <paramref name="seen"/>, unless the remote has replaced the object since.</summary>
    public async Task<FillRecord?> CurrentManifestAsync(string bucket, RecordSeen seen, CancellationToken ct)
    {
        if (seen.Record is not { IsChunked: true } manifest) return null;
        if (settings.RevalidateAfter is not null && await RevalidateAsync(bucket, seen, ct) is not null) return null;
        return manifest;
    }

    /// <returns>The remote's new description when it changed; null when unchanged, or when the
    /// remote cannot say (down, or the object gone): the cached copy is then served as it is.</returns>
    private async Task<ObjectInfo?> RevalidateAsync(string bucket, RecordSeen seen, CancellationToken ct)
    {
        var cached = seen.Record!;
        if (clock.GetUtcNow() - cached.ValidatedAt < settings.RevalidateAfter) return null;
        try
        {
            if (await remote.ChangedSinceAsync(bucket, cached.Key, cached.ETag, ct) is { } changed) return changed;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Serving the cached {Bucket}/{Key}: the remote could not revalidate it ({Reason})", cached.RemoteBucket, cached.Key, e.Message);
            return null;
        }
        // Only over the version read: a newer generation recorded meanwhile stays.
        await TryWriteAsync(cached with { ValidatedAt = clock.GetUtcNow() }, seen);
        return null;
    }
}
