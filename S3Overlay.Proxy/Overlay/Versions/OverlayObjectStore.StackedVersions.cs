using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay;

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
/// </remarks>
internal sealed partial class OverlayObjectStore
{
    private async Task<BucketVersioning> RemoteBackedVersioningAsync(string bucket, CancellationToken ct) =>
        await parts.Versioning.ReadAsync(bucket, ct) ?? (await GetBucketAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : BucketVersioning.Unversioned);

    /// <summary>Versioning is the local bucket's (made here for a bucket only the remote has): the remote is never asked to change.</summary>
    private async Task PutRemoteBackedVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct)
    {
        if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        await parts.LocalBuckets.EnsureAsync(bucket, ct);
        await _local.PutBucketVersioningAsync(bucket, state, ct);
        parts.Versioning.Set(bucket, state);
    }

    /// <summary>
    /// A read of the key's current version names it, as S3 names a null version in a bucket that
    /// keeps versions: what the remote answers, and a local object written before versioning was
    /// enabled, carry no id of their own, and are the null version. Asked before the read, so a
    /// local store that cannot tell fails the read before a body is open (and the outage reads take over).
    /// </summary>
    private async Task<ObjectInfo> NamingNullVersionAsync(string bucket, Func<Task<ObjectInfo>> read, CancellationToken ct)
    {
        var named = !LocalOnly(bucket) && await StacksVersionsAsync(bucket, ct);
        var info = await read();
        return named && info.VersionId is null ? info with { VersionId = VersionIds.Null } : info;
    }

    private async Task<ObjectContent> NamingNullVersionAsync(string bucket, Func<Task<ObjectContent>> read, CancellationToken ct)
    {
        var named = !LocalOnly(bucket) && await StacksVersionsAsync(bucket, ct);
        var content = await read();
        return named && content.Info.VersionId is null
            ? new ObjectContent(content.Info with { VersionId = VersionIds.Null }, content.Body, content.Range) { VerifiedBy = content.VerifiedBy }
            : content;
    }

    private async Task<ObjectInfo> HeadStackedVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        var info = await LocalVersionAsync(bucket, key, versionId, ct)
            ?? await RemoteNullVersionAsync(bucket, key, async () => await parts.Remote.HeadAsync(bucket, key, ct) with { VersionId = VersionIds.Null }, ct);
        conditions.Evaluate(info);
        return info;
    }

    private async Task<ObjectContent> GetStackedVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        if (await LocalVersionAsync(bucket, key, versionId, ct) is not null) return await _local.GetObjectVersionAsync(bucket, key, versionId, request, ct);
        // Streamed, never stored: a copy stored at the key would be a version of its own.
        var remote = await RemoteNullVersionAsync(bucket, key, () => parts.WholeFills.StreamAsync(bucket, key, request, ct), ct);
        return new ObjectContent(remote.Info with { VersionId = VersionIds.Null }, remote.Body, remote.Range) { VerifiedBy = remote.VerifiedBy };
    }

    private async Task<IReadOnlyDictionary<string, string>> GetStackedVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        await LocalVersionAsync(bucket, key, versionId, ct) is not null
            ? await _local.GetObjectVersionTaggingAsync(bucket, key, versionId, ct)
            : await RemoteNullVersionAsync(bucket, key, () => parts.Remote.GetTaggingAsync(bucket, key, ct), ct);

    /// <summary>
    /// Without a version id, a whiteout: the delete marker. With one, that local version is removed
    /// (when it was the last local one, and no marker is left, the remote's object shows again,
    /// unless the null version was deleted). The null version deleted, the remote's object is no
    /// version of the key any more, as in S3 (<see cref="Versions.DeletedNullVersions"/>): the
    /// remote being never written, that is kept locally, whether the null version was the
    /// remote's object or a local one that had taken its place.
    /// </summary>
    /// <param name="bypassGovernance">Asked for and allowed: a local version under GOVERNANCE retention may be removed (the local store decides).</param>
    private async Task<DeletedVersion> DeleteStackedVersionAsync(string bucket, string key, string? versionId, CancellationToken ct, bool bypassGovernance = false)
    {
        if (versionId is null)
        {
            var marker = await WhiteOutAsync(bucket, key, ct);
            return new DeletedVersion(marker?.VersionId ?? VersionIds.Null, DeleteMarker: true);
        }
        BecomingLocal(bucket, key);
        var deletedNulls = parts.Versions.DeletedNulls;
        ObjectInfo? held = null;
        var exists = true;
        try
        {
            held = await _local.HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct);
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
            if (versionId == VersionIds.Null) await deletedNulls.DeleteAsync(bucket, key, ct);
            return new DeletedVersion(versionId, DeleteMarker: false);
        }
        var whiteout = held is not null && WhiteoutMarker.IsMarker(held);
        // A delete marker is never locked in S3; a local store that gives every write its bucket's
        // default retention (RGW) has locked the whiteout, which a bypass lifts unless it is COMPLIANCE.
        var deleted = await _local.DeleteObjectVersionAsync(bucket, key, versionId, bypassGovernance || whiteout, ct);
        if (versionId == VersionIds.Null) await deletedNulls.DeleteAsync(bucket, key, ct);
        else await deletedNulls.CoverAsync(bucket, key, ct);
        BecomingLocal(bucket, key);
        parts.Cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
        return whiteout ? deleted with { DeleteMarker = true } : deleted;
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
            held = await _local.HeadObjectVersionAsync(bucket, key, versionId, ReadConditions.None, ct);
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
        if (await parts.Versions.DeletedNulls.DeletedAsync(bucket, key, ct)) throw VersionIds.NoSuchVersion(key, VersionIds.Null);
        try
        {
            return await read();
        }
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            throw VersionIds.NoSuchVersion(key, VersionIds.Null);
        }
    }
}
