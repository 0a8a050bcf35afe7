using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Keys;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay.Versions;

/// <summary>
/// A bucket the remote backs whose local bucket keeps versions: the local store's versions stack
/// over the remote's object, which is the key's null version until a local null version (written
/// before versioning was enabled, or while suspended) takes its place. The remote is never written.
/// </summary>
/// <remarks>
/// A delete writes a whiteout, which the versioned local bucket keeps as a version of its own:
/// that version is the delete marker clients see (in listings, and asked for by its id), so a
/// delete is still one write and hides the remote's object in the read each GET makes anyway. A
/// delete marker of the local store's own would not do: a read that meets one finds nothing
/// locally and goes on to the remote, which it would show again.
/// Object Lock, where the local bucket has it (and so keeps versions): the local versions lock as
/// the local store locks them, and a locked one cannot be removed, nor its retention weakened, by
/// anyone the local store would refuse. A DELETE without a version id is a delete marker (the
/// whiteout), as S3 allows whatever the locks. The remote's object, the key's null version, is
/// never written here, so it carries no lock and cannot be given one: a copy of it onto its key
/// makes a local version that can be.
/// </remarks>
internal sealed class StackedVersions([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource remote, LocalVersioning versioning,
    MergedVersions versions, MergedBuckets buckets, LocalBuckets localBuckets, WholeObjectFills wholeFills, ClientWrites writes, WhiteoutDeletes deletes)
{
    public Task<VersionsPage> ListAsync(string bucket, VersionsRequest request, CancellationToken ct) => versions.ListAsync(bucket, request, ct);

    public async Task<BucketVersioning> VersioningAsync(string bucket, CancellationToken ct) =>
        await versioning.ReadAsync(bucket, ct) ?? (await buckets.GetAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : BucketVersioning.Unversioned);

    /// <summary>Versioning is the local bucket's (made here for a bucket only the remote has): the remote is never asked to change.</summary>
    public async Task PutVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct)
    {
        if (await buckets.GetAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        await localBuckets.EnsureAsync(bucket, ct);
        await local.PutBucketVersioningAsync(bucket, state, ct);
        versioning.Set(bucket, state);
    }

    /// <summary>
    /// A read of the key's current version names it, as S3 names a null version in a bucket that
    /// keeps versions: what the remote answers, and a local object written before versioning was
    /// enabled, carry no id of their own, and are the null version. Asked before the read, so a
    /// local store that cannot tell fails the read before a body is open (and the outage reads take over).
    /// </summary>
    public async Task<ObjectInfo> NamingNullVersionAsync(string bucket, Func<Task<ObjectInfo>> read, CancellationToken ct)
    {
        var named = remote.Backs(bucket) && await versioning.KeepsVersionsAsync(bucket, ct);
        var info = await read();
        return named && info.VersionId is null ? info with { VersionId = VersionIds.Null } : info;
    }

    public async Task<ObjectContent> NamingNullVersionAsync(string bucket, Func<Task<ObjectContent>> read, CancellationToken ct)
    {
        var named = remote.Backs(bucket) && await versioning.KeepsVersionsAsync(bucket, ct);
        var content = await read();
        return named && content.Info.VersionId is null
            ? new ObjectContent(content.Info with { VersionId = VersionIds.Null }, content.Body, content.Range) { VerifiedBy = content.VerifiedBy }
            : content;
    }

    public async Task<ObjectInfo> HeadAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        var info = await LocalVersionAsync(bucket, key, versionId, ct)
            ?? await RemoteNullVersionAsync(bucket, key, async () => await remote.HeadAsync(bucket, key, ct) with { VersionId = VersionIds.Null }, ct);
        conditions.Evaluate(info);
        return info;
    }

    public async Task<ObjectContent> GetAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        if (await LocalVersionAsync(bucket, key, versionId, ct) is not null) return await local.GetObjectVersionAsync(bucket, key, versionId, request, ct);
        // Streamed, never stored: a copy stored at the key would be a version of its own.
        var remote = await RemoteNullVersionAsync(bucket, key, () => wholeFills.StreamAsync(bucket, key, request, ct), ct);
        return new ObjectContent(remote.Info with { VersionId = VersionIds.Null }, remote.Body, remote.Range) { VerifiedBy = remote.VerifiedBy };
    }

    public async Task<IReadOnlyDictionary<string, string>> GetTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        await LocalVersionAsync(bucket, key, versionId, ct) is not null
            ? await local.GetObjectVersionTaggingAsync(bucket, key, versionId, ct)
            : await RemoteNullVersionAsync(bucket, key, () => remote.GetTaggingAsync(bucket, key, ct), ct);

    /// <summary>
    /// Without a version id, a whiteout: the delete marker. With one, that local version is removed
    /// (when it was the last local one, and no marker is left, the remote's object shows again,
    /// unless the null version was deleted). The null version deleted, the remote's object is no
    /// version of the key any more, as in S3 (<see cref="Versions.DeletedNullVersions"/>): the
    /// remote being never written, that is kept locally, whether the null version was the
    /// remote's object or a local one that had taken its place.
    /// </summary>
    /// <param name="delete">
    /// Its bypass asked for and allowed: a local version under GOVERNANCE retention may be removed
    /// (the local store decides). Its If-Match: against the object a GET would return (without a
    /// version id), the local version, or the remote's object as the null version.
    /// </param>
    public async Task<DeletedVersion> DeleteAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct)
    {
        if (versionId is null)
        {
            var marker = await deletes.WhiteOutAsync(bucket, key, delete, ct);
            return new DeletedVersion(marker?.VersionId ?? VersionIds.Null, DeleteMarker: true);
        }
        writes.Starting(bucket, key);
        var deletedNulls = versions.DeletedNulls;
        ObjectInfo? held = null;
        var exists = true;
        try
        {
            held = await local.HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            exists = false;
        }
        catch (StorageException e) when (e.Fault == StorageFault.DeleteMarkerVersion)
        {
            // A delete marker of the local store's own (see the remarks): removed as any version.
        }
        if (!exists && versionId == VersionIds.Null || held is not null && WhiteoutMarker.IsNullVersionDeleted(held))
        {
            // The remote's object, or the marker of its deletion (no client's version): nothing local to remove.
            if (delete.IfMatch is not null && !exists) await RequireRemoteNullAsync(bucket, key, delete.IfMatch, ct);
            if (versionId == VersionIds.Null) await deletedNulls.DeleteAsync(bucket, key, ct);
            return new DeletedVersion(versionId, DeleteMarker: false);
        }
        var whiteout = held is not null && WhiteoutMarker.IsMarker(held);
        // A delete marker is never locked in S3; a local store that gives every write its bucket's
        // default retention (RGW) has locked the whiteout, which a bypass lifts unless it is COMPLIANCE.
        var deleted = await local.DeleteObjectVersionAsync(bucket, key, versionId, delete with { BypassGovernance = delete.BypassGovernance || whiteout }, ct);
        if (versionId == VersionIds.Null) await deletedNulls.DeleteAsync(bucket, key, ct);
        else await deletedNulls.CoverAsync(bucket, key, ct);
        writes.Done(bucket, key);
        return whiteout ? deleted with { DeleteMarker = true } : deleted;
    }

    /// <summary>
    /// A conditional delete of the null version the remote holds: the remote's object must match
    /// (it is never changed, so the look is the decision); a null version that is nowhere is no error.
    /// </summary>
    private async Task RequireRemoteNullAsync(string bucket, string key, string ifMatch, CancellationToken ct)
    {
        try
        {
            await HeadAsync(bucket, key, VersionIds.Null, ReadConditions.None with { IfMatch = ifMatch }, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
        }
    }

    /// <summary>
    /// The local store's version; a whiteout's is a delete marker (405, as S3 answers a read of
    /// one by its id). Null for the null version when the local store has none: it is the remote's.
    /// </summary>
    private async Task<ObjectInfo?> LocalVersionAsync(string bucket, string key, string versionId, CancellationToken ct)
    {
        ObjectInfo held;
        try
        {
            held = await local.HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct);
        }
        // A delete marker of the local store's own hides nothing from reads (see the remarks): the null version is still the remote's.
        catch (StorageException e) when (versionId == VersionIds.Null && (e.IsMissing || e.Fault == StorageFault.DeleteMarkerVersion))
        {
            return null;
        }
        // The marker of a deleted null version is no version to clients (and where it is the local null version, the null version is deleted).
        if (WhiteoutMarker.IsNullVersionDeleted(held)) throw VersionIds.NoSuchVersion(key, versionId);
        return WhiteoutMarker.IsMarker(held) ? throw VersionIds.DeleteMarker(key, held.VersionId ?? versionId, held.LastModified, askedByVersion: true) : held;
    }

    /// <summary>The remote's object as the null version: a key it lacks, or whose null version was deleted, has no such version.</summary>
    private async Task<T> RemoteNullVersionAsync<T>(string bucket, string key, Func<Task<T>> read, CancellationToken ct)
    {
        if (await versions.DeletedNulls.DeletedAsync(bucket, key, ct)) throw VersionIds.NoSuchVersion(key, VersionIds.Null);
        try
        {
            return await read();
        }
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            throw VersionIds.NoSuchVersion(key, VersionIds.Null);
        }
    }

    /// <summary>
    /// The local version a lock change is for (the current one when none is named); refused for
    /// the remote's null version, and for a delete marker as a read of it is refused.
    /// </summary>
    public async Task<string> LockableVersionAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        if (!await versioning.KeepsVersionsAsync(bucket, ct) || await local.GetObjectLockConfigurationAsync(bucket, ct) is null)
            throw await buckets.GetAsync(bucket, ct) is null ? StorageException.BucketNotFound(bucket) : ObjectLockRules.NotALockBucket();
        if (versionId is not null)
            return await LocalVersionAsync(bucket, key, versionId, ct) is not null ? versionId : throw await RemoteNotLockableAsync(bucket, key, versionId, ct);
        var current = await local.FindObjectAsync(bucket, key, ct);
        if (current is null) throw await RemoteNotLockableAsync(bucket, key, null, ct);
        if (WhiteoutMarker.IsMarker(current)) throw WhiteoutMarker.Deleted(current, key);
        return current.VersionId ?? VersionIds.Null;
    }

    /// <summary>The remote's object cannot be locked here (501, saying how to lock it); a key the remote lacks has no such version (NoSuchKey, asked by no id).</summary>
    private async Task<Exception> RemoteNotLockableAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        if (versionId is null) await remote.HeadAsync(bucket, key, ct);
        else await RemoteNullVersionAsync(bucket, key, () => remote.HeadAsync(bucket, key, ct), ct);
        return new StorageException(StorageFault.NotSupported, key,
            "This version is the remote's object, which is never written here, so it cannot be locked: copy it onto its key to make a local version that can be.");
    }
}
