using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Versions;
using S3Overlay.Overlay.Whiteouts;

namespace S3Overlay.Overlay;

/// <summary>
/// Object Lock of a bucket the remote backs, whose local bucket has it (and so keeps versions):
/// the local versions lock as the local store locks them, and a locked one cannot be removed,
/// nor its retention weakened, by anyone the local store would refuse. A DELETE without a version
/// id is a delete marker (the whiteout), as S3 allows whatever the locks. The remote's object, the
/// key's null version, is never written here, so it carries no lock and cannot be given one:
/// a copy of it onto its key makes a local version that can be.
/// </summary>
internal sealed partial class OverlayObjectStore
{
    /// <summary>
    /// The local version a lock change is for (the current one when none is named); refused for
    /// the remote's null version, and for a delete marker as a read of it is refused.
    /// </summary>
    private async Task<string> LockableVersionAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        if (await GetObjectLockConfigurationAsync(bucket, ct) is null)
            throw await GetBucketAsync(bucket, ct) is null ? StorageException.BucketNotFound(bucket) : ObjectLockRules.NotALockBucket();
        if (versionId is not null)
            return await LocalVersionAsync(bucket, key, versionId, ct) is not null ? versionId : throw await RemoteNotLockableAsync(bucket, key, versionId, ct);
        var current = await _local.FindObjectAsync(bucket, key, ct);
        if (current is null) throw await RemoteNotLockableAsync(bucket, key, null, ct);
        if (WhiteoutMarker.IsMarker(current)) throw WhiteoutMarker.Deleted(current, key);
        return current.VersionId ?? VersionIds.Null;
    }

    /// <summary>The remote's object cannot be locked here (501, saying how to lock it); a key the remote lacks has no such version (NoSuchKey, asked by no id).</summary>
    private async Task<Exception> RemoteNotLockableAsync(string bucket, string key, string? versionId, CancellationToken ct)
    {
        if (versionId is null) await parts.Remote.HeadAsync(bucket, key, ct);
        else await RemoteNullVersionAsync(bucket, key, () => parts.Remote.HeadAsync(bucket, key, ct), ct);
        return new StorageException(StorageFault.NotSupported, key,
            "This version is the remote's object, which is never written here, so it cannot be locked: copy it onto its key to make a local version that can be.");
    }
}
