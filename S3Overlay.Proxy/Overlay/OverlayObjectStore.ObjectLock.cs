using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay;

/// <summary>
/// Object Lock through the overlay: a bucket no remote backs is the local store's alone and locks
/// as it does. A bucket the remote backs has no Object Lock, though it may keep versions: the
/// remote's objects it shows (its null versions) cannot be locked here, so enabling it is refused,
/// saying why, and lock requests are those of a bucket without it.
/// </summary>
public sealed partial class OverlayObjectStore
{
    private const string RemoteBackedLockRefusal =
        "Object Lock is not offered on a bucket a remote backs: the remote's objects it shows cannot be locked here.";

    public Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct) =>
        !objectLock ? CreateBucketAsync(bucket, ct)
        : LocalOnly(bucket) ? _local.CreateBucketAsync(bucket, true, ct)
        : throw new StorageException(StorageFault.NotSupported, bucket, RemoteBackedLockRefusal);

    /// <summary>
    /// A bucket the remote backs has none, known without asking: writes ask this of every bucket,
    /// and the local store's requests are counted. (GetObjectLockConfiguration itself tells a
    /// missing bucket apart.)
    /// </summary>
    public async Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.GetObjectLockConfigurationAsync(bucket, ct) : null;

    public async Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await _local.PutObjectLockConfigurationAsync(bucket, configuration, ct);
        else if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        else throw new StorageException(StorageFault.WrongBucketState, bucket, RemoteBackedLockRefusal);
    }

    public async Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await _local.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);
        else throw await NoLockAsync(bucket, ct);
    }

    public async Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await _local.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);
        else throw await NoLockAsync(bucket, ct);
    }

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, bool bypassGovernance, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.DeleteObjectVersionAsync(bucket, key, versionId, bypassGovernance, ct) : DeleteObjectVersionAsync(bucket, key, versionId, ct);

    private async Task<Exception> NoLockAsync(string bucket, CancellationToken ct) =>
        await GetBucketAsync(bucket, ct) is null ? StorageException.BucketNotFound(bucket) : ObjectLockRules.NotALockBucket();
}
