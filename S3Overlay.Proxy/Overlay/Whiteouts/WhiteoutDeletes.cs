using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Keys;
using S3Overlay.Overlay.Versions;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>Deletes through the overlay: of a key (a whiteout where the remote backs the bucket) and of a bucket (its whiteouts with it).</summary>
internal sealed class WhiteoutDeletes([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, WhiteoutIndex whiteouts, LocalStoreConditions localConditions,
    LocalBuckets localBuckets, MergedBuckets buckets, ClientWrites writes, WholeObjectFills wholeFills, LocalVersioning versioning, MergedVersions versions,
    ConditionalWrites conditions)
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
    /// A conditional delete (<see cref="ObjectDelete.IfMatch"/>) is decided against the object a GET
    /// would return, as a conditional write is (<see cref="ConditionalWrites"/>): the whiteout is
    /// written only over exactly what was looked at.
    /// </remarks>
    /// <returns>The whiteout written (in a bucket that keeps versions, the version it is); null where the bucket needs none.</returns>
    public async Task<ObjectInfo?> WhiteOutAsync(string bucket, string key, ObjectDelete delete, CancellationToken ct)
    {
        writes.Starting(bucket, key);
        if (!whiteouts.RemoteBacked(bucket))
        {
            await local.DeleteObjectVersionAsync(bucket, key, null, delete, ct);
            writes.Done(bucket, key);
            return null;
        }
        // A bucket only the remote has is made locally to hold the whiteout; one that is nowhere is an error.
        if (!localBuckets.IsKnown(bucket) && await buckets.GetAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        var marker = await conditions.CommitAsync(bucket, key, delete.Condition, sent => whiteouts.AddAsync(bucket, key, sent, ct), ct);
        writes.Done(bucket, key);
        // Without the condition: a fill in flight now may have looked for the whiteout before it
        // was written (a fill that starts later finds it when it looks before storing).
        var filling = wholeFills.WhenFinished(bucket, key);
        if (localConditions.Honoured || filling.IsCompleted) return marker;
        await filling.WaitAsync(ct);
        return await whiteouts.AddAsync(bucket, key, null, ct);
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
            await local.DeleteBucketAsync(bucket, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotEmpty && whiteouts.RemoteBacked(bucket))
        {
            var cleared = await versioning.KeepsVersionsAsync(bucket, ct)
                ? await versions.DeletedNulls.ClearIfHiddenAsync(bucket, ct)
                : await whiteouts.ClearIfAllAsync(bucket, ct);
            if (!cleared) throw;
            await local.DeleteBucketAsync(bucket, ct);
        }
        if (whiteouts.RemoteBacked(bucket)) await versions.DeletedNulls.ForgetAsync(bucket, ct);
        localBuckets.Forget(bucket);
        versioning.Forget(bucket);
    }
}
