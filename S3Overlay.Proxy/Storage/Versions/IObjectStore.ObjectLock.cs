using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage;

/// <summary>
/// Object Lock: what a store that keeps locks answers. A version's lock travels in its metadata
/// (<see cref="ObjectMetadata.Retention"/>, <see cref="ObjectMetadata.LegalHold"/>), written with
/// the version and read with it. The defaults are those of a store that keeps none: no bucket has
/// Object Lock, and asking for it is refused.
/// </summary>
internal partial interface IObjectStore
{
    /// <summary>Creates a bucket; with <paramref name="objectLock"/>, one with Object Lock enabled, and so versioning.</summary>
    Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct) =>
        objectLock ? throw new StorageException(StorageFault.NotSupported, bucket, "This store does not keep Object Lock.") : CreateBucketAsync(bucket, ct);

    /// <summary>The bucket's configuration; null when Object Lock is not enabled. NoSuchBucket when there is no bucket.</summary>
    async Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) =>
        await GetBucketAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : null;

    /// <summary>
    /// Replaces the configuration (its default retention). A bucket without Object Lock may have it
    /// enabled only while versioning is enabled, as S3 allows; otherwise 409 InvalidBucketState.
    /// </summary>
    async Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct)
    {
        if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw new StorageException(StorageFault.WrongBucketState, bucket, "Object Lock cannot be enabled on this bucket.");
    }

    /// <summary>
    /// Sets (or, null, removes) one version's retention (the current one's without
    /// <paramref name="versionId"/>), as <see cref="ObjectLockRules.CheckRetentionChange"/> allows.
    /// </summary>
    async Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct)
    {
        if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw ObjectLockRules.NotALockBucket();
    }

    /// <summary>Turns one version's legal hold on or off.</summary>
    async Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct)
    {
        if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw ObjectLockRules.NotALockBucket();
    }

    /// <summary>
    /// As <see cref="DeleteObjectVersionAsync(string, string, string?, CancellationToken)"/>, and a
    /// version's lock is honoured (<see cref="ObjectLockRules.CheckDelete"/>): that overload is this
    /// one without the bypass, so nothing (lifecycle included) removes a locked version unasked;
    /// <see cref="ObjectDelete.IfMatch"/> is checked with the delete. A store that keeps no locks
    /// and cannot check the condition in one step refuses it, never ignores it.
    /// </summary>
    Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct) =>
        delete.IfMatch is null ? DeleteObjectVersionAsync(bucket, key, versionId, ct)
        : throw new StorageException(StorageFault.NotSupported, "This store does not check a delete's If-Match.");
}
