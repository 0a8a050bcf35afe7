using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>What the face's writes share: room made for them, the key made the client's, the remote's bucket made locally.</summary>
internal sealed partial class OverlayObjectStore
{
    /// <summary>
    /// A client's write the local store had no room for is answered so (507), and the cache makes
    /// room for it to be tried again: what came from the remote can be fetched again, what clients
    /// write cannot (<see cref="CacheEvictor.MakeRoom"/>).
    /// </summary>
    /// <param name="bytes">What the write needed, when known.</param>
    private async Task<T> MakingRoomAsync<T>(long? bytes, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (StorageException e) when (e.Fault == StorageFault.StoreFull)
        {
            parts.Evictor.MakeRoom(bytes ?? 0);
            throw;
        }
    }

    /// <summary>
    /// A client wrote the key: whatever was filled there is no longer the cache's to evict. Its
    /// whiteout, if any, was the object the write replaced: nothing more to clear.
    /// </summary>
    private void BecameLocal(string bucket, string key)
    {
        BecomingLocal(bucket, key);
        parts.Cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
    }

    /// <summary>
    /// A write or delete of the key starts, or ended: it is no longer one the remote is known to
    /// back (whether or not the write succeeds: one that timed out may have landed), and one the
    /// local store may hold (<see cref="Keys.LocalKeys"/>).
    /// </summary>
    private void BecomingLocal(string bucket, string key)
    {
        parts.OutageReads.Known.Forget(bucket, key);
        parts.LocalKeys.Note(bucket, key);
    }

    /// <summary>
    /// A client's first write into a bucket only the remote has: the bucket is made locally, as a
    /// fill makes it. The merged view shows that bucket (HEAD, GET, listings), so a write into it
    /// must not answer NoSuchBucket. Made before the write, since a body cannot be sent twice.
    /// </summary>
    private async Task EnsureLocalBucketAsync(string bucket, CancellationToken ct)
    {
        if (parts.Remote.BucketOf(Guard(bucket)) is null || parts.LocalBuckets.IsKnown(bucket)) return;
        if (await GetBucketAsync(bucket, ct) is not null) await parts.LocalBuckets.EnsureAsync(bucket, ct);
    }
}
