using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Object Lock is the store's own: a lock is in a version's metadata, which the layer passes
/// through untouched, and every member is forwarded (the interface's defaults would answer as a
/// store with no locks, hiding the store's behind this layer).
/// </summary>
internal partial class EncryptedObjectStore
{
    public Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct) => Inner.CreateBucketAsync(bucket, objectLock, ct);

    public Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) => Inner.GetObjectLockConfigurationAsync(bucket, ct);

    public Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct) =>
        Inner.PutObjectLockConfigurationAsync(bucket, configuration, ct);

    public Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct) =>
        Inner.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);

    public Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct) =>
        Inner.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, bool bypassGovernance, CancellationToken ct) =>
        Inner.DeleteObjectVersionAsync(bucket, key, versionId, bypassGovernance, ct);
}
