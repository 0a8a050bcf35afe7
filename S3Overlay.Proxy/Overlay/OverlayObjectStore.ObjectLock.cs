using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay;

/// <summary>
/// Object Lock through the overlay: a bucket no remote backs is the local store's alone and locks
/// as it does. A bucket the remote backs has the Object Lock of its local bucket, as it has its
/// versioning: the local versions stacked over the remote's objects lock as the local store locks
/// them (Overlay/Versions/OverlayObjectStore.StackedLocks.cs); the remote's objects, the null
/// versions, are never written here, so they are never locked.
/// </summary>
internal sealed partial class OverlayObjectStore
{
    /// <summary>A bucket the remote backs gets its Object Lock locally, with its versioning, as a bucket made here would.</summary>
    public async Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct)
    {
        if (!objectLock)
        {
            await CreateBucketAsync(bucket, ct);
            return;
        }
        await _local.CreateBucketAsync(Guard(bucket), true, ct);
        if (!LocalOnly(bucket)) parts.Versioning.Set(bucket, BucketVersioning.Enabled);
    }

    /// <summary>
    /// A bucket the remote backs can have Object Lock only while its local bucket keeps versions:
    /// known without asking otherwise, since writes ask this of every bucket and the local store's
    /// requests are counted. (GetObjectLockConfiguration itself tells a missing bucket apart.)
    /// </summary>
    public async Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.GetObjectLockConfigurationAsync(bucket, ct)
        : await StacksVersionsAsync(bucket, ct) ? await _local.GetObjectLockConfigurationAsync(bucket, ct)
        : null;

    /// <summary>Enabling it needs versioning enabled first, as S3 requires; a bucket the remote backs has it in its local bucket.</summary>
    public async Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await _local.PutObjectLockConfigurationAsync(bucket, configuration, ct);
        else if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        else throw new StorageException(StorageFault.WrongBucketState, bucket, "Versioning must be enabled on the bucket to enable Object Lock.");
    }

    public async Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await _local.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);
        else await _local.PutObjectRetentionAsync(bucket, key, await LockableVersionAsync(bucket, key, versionId, ct), retention, bypassGovernance, ct);
    }

    public async Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await _local.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);
        else await _local.PutObjectLegalHoldAsync(bucket, key, await LockableVersionAsync(bucket, key, versionId, ct), on, ct);
    }

    public async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, bool bypassGovernance, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.DeleteObjectVersionAsync(bucket, key, versionId, bypassGovernance, ct)
        : await StacksVersionsAsync(bucket, ct) ? await DeleteStackedVersionAsync(bucket, key, versionId, ct, bypassGovernance)
        : await DeleteObjectVersionAsync(bucket, key, versionId, ct);
}
