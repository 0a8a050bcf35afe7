using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Chunks;

namespace S3Overlay.Overlay;

/// <summary>Deletes, and what a whiteout changes of the requests about one key.</summary>
internal sealed partial class OverlayObjectStore
{
    /// <summary>
    /// A delete in a bucket the remote backs leaves a whiteout, so the remote's copy does not come
    /// back: a marker object written over the key, one request. It wins against a fill racing it
    /// without waiting: a fill stores its copy only over nothing (or the stale copy it refreshes),
    /// so the local store itself refuses a fill that the whiteout overtook, in this process or any
    /// other sharing the store; every read from then on finds the whiteout in its own first look.
    /// A whiteout is left also for a key the remote lacks: asking would cost a remote request per
    /// delete, fail with the remote down, and race with the remote gaining the key.
    /// </summary>
    /// <remarks>
    /// The key stops being one the remote is known to back as the delete starts (a read of it with
    /// the local store down answers 503, never the remote's copy), and again once the whiteout is
    /// written, for reads that began in between. A delete that cannot write the whiteout fails.
    /// On a local store that ignores the condition (<see cref="LocalStoreConditions"/>), a fill of
    /// this process in flight is waited for and the whiteout written again over what it stored.
    /// </remarks>
    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) => WhiteOutAsync(bucket, key, ct);

    /// <returns>The whiteout written (in a bucket that keeps versions, the version it is); null where the bucket needs none.</returns>
    private async Task<ObjectInfo?> WhiteOutAsync(string bucket, string key, CancellationToken ct)
    {
        Guard(bucket);
        BecomingLocal(bucket, key);
        if (!parts.Whiteouts.RemoteBacked(bucket))
        {
            await _local.DeleteObjectAsync(bucket, key, ct);
            parts.Cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
            return null;
        }
        // A bucket only the remote has is made locally to hold the whiteout; one that is nowhere is an error.
        if (!parts.LocalBuckets.IsKnown(bucket) && await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        var marker = await parts.Whiteouts.AddAsync(bucket, key, ct);
        BecomingLocal(bucket, key);
        parts.Cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
        // Without the condition: a fill in flight now may have looked for the whiteout before it
        // was written (a fill that starts later finds it when it looks before storing).
        var filling = parts.WholeFills.WhenFinished(bucket, key);
        if (parts.LocalConditions.Honoured || filling.IsCompleted) return marker;
        await filling.WaitAsync(ct);
        return await parts.Whiteouts.AddAsync(bucket, key, ct);
    }

    /// <summary>
    /// A bucket that holds nothing but whiteouts is empty to clients, so it can be deleted: its
    /// whiteouts go with it (what the remote holds of the bucket is then shown again). In one that
    /// keeps versions, a delete's whiteout is a delete marker clients see, which they remove
    /// themselves, as in S3; what they never see goes with the bucket.
    /// </summary>
    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await _local.DeleteBucketAsync(Guard(bucket), ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotEmpty && parts.Whiteouts.RemoteBacked(bucket))
        {
            var cleared = await StacksVersionsAsync(bucket, ct)
                ? await parts.Versions.DeletedNulls.ClearIfHiddenAsync(bucket, ct)
                : await parts.Whiteouts.ClearIfAllAsync(bucket, ct);
            if (!cleared) throw;
            await _local.DeleteBucketAsync(bucket, ct);
        }
        if (parts.Whiteouts.RemoteBacked(bucket)) await parts.Versions.DeletedNulls.ForgetAsync(bucket, ct);
        parts.LocalBuckets.Forget(bucket);
        parts.Versioning.Forget(bucket);
    }

    /// <summary>A key deleted here is gone, whatever the remote holds: nothing is asked of it.</summary>
    /// <param name="record">The key's fill record being read, looked up beside an old whiteout while any wait to be moved (<see cref="LegacyWhiteouts"/>).</param>
    /// <returns>The record read, when one was given.</returns>
    private async Task<RecordSeen?> RefuseWhitedOutAsync(string bucket, string key, Task<RecordSeen>? record, CancellationToken ct)
    {
        var whitedOut = parts.Whiteouts.Legacy.ExistsAsync(bucket, key, ct);
        await (record is null ? whitedOut : Task.WhenAll(whitedOut, record));
        if (await whitedOut) throw StorageException.ObjectNotFound(key);
        return record is null ? null : await record;
    }

    /// <summary>
    /// Whether the key holds the marker of an object cached in chunks (no local object), looked
    /// at for requests about the object (one look more, for those only); a whiteout there answers NoSuchKey.
    /// </summary>
    private async Task<bool> ChunkMarkedAsync(string bucket, string key, CancellationToken ct)
    {
        if (!parts.Whiteouts.RemoteBacked(bucket) || await _local.FindObjectAsync(bucket, key, ct) is not { } held) return false;
        if (WhiteoutMarker.IsMarker(held)) throw StorageException.ObjectNotFound(key);
        return ChunkMarkers.IsMarker(held);
    }

    // Tags are written locally; a remote-only object's tags are the remote's.
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        if (!await ChunkMarkedAsync(Guard(bucket), key, ct))
        {
            try
            {
                return await _local.GetObjectTaggingAsync(bucket, key, ct);
            }
            catch (StorageException e) when (LocalBuckets.IsMiss(e))
            {
                // Not held locally: the remote's tags, unless it was deleted here.
            }
        }
        await RefuseWhitedOutAsync(bucket, key, record: null, ct);
        return await parts.Remote.GetTaggingAsync(bucket, key, ct);
    }

    // A remote-only object (one cached in chunks too) has no local object to hold them: NoSuchKey, as the local store answers.
    public async Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (await ChunkMarkedAsync(Guard(bucket), key, ct)) throw StorageException.ObjectNotFound(key);
        await _local.PutObjectTaggingAsync(bucket, key, tags, ct);
    }

    public async Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct)
    {
        if (await ChunkMarkedAsync(Guard(bucket), key, ct)) throw StorageException.ObjectNotFound(key);
        await _local.PutObjectAclAsync(bucket, key, acl, ct);
    }
}
