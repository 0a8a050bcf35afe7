using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage;

/// <summary>
/// A layer of the seam over another store (hidden names, encryption): every member of
/// <see cref="IObjectStore"/> goes to <see cref="Inner"/>, those the interface gives a default
/// included, so a layer changes only what it overrides and never drops a call to a default of
/// its own (versions, Object Lock) while the store beneath keeps them. A new member of the seam
/// is added here once; <c>Architecture/StoreLayerTests</c> fails on a layer that does not forward it.
/// </summary>
internal abstract class ForwardingStore(IObjectStore inner) : IObjectStore
{
    protected IObjectStore Inner { get; } = inner;

    public virtual Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) => Inner.ListBucketsAsync(ct);
    public virtual Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct) => Inner.GetBucketAsync(bucket, ct);
    public virtual Task CreateBucketAsync(string bucket, CancellationToken ct) => Inner.CreateBucketAsync(bucket, ct);
    public virtual Task DeleteBucketAsync(string bucket, CancellationToken ct) => Inner.DeleteBucketAsync(bucket, ct);
    public virtual Task CheckHealthAsync(CancellationToken ct) => Inner.CheckHealthAsync(ct);
    public virtual Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct) => Inner.GetBucketSettingAsync(bucket, name, ct);
    public virtual Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct) => Inner.PutBucketSettingAsync(bucket, name, value, ct);

    public virtual Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) => Inner.HeadObjectAsync(bucket, key, conditions, ct);
    public virtual Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct) => Inner.FindObjectAsync(bucket, key, ct);
    public virtual Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) => Inner.GetObjectAsync(bucket, key, request, ct);
    public virtual Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) => Inner.TryGetObjectAsync(bucket, key, request, ct);
    public virtual Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct) => Inner.PutObjectAsync(bucket, key, body, write, ct);
    public virtual Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) => Inner.DeleteObjectAsync(bucket, key, ct);
    public virtual Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct) => Inner.ListObjectsAsync(bucket, request, ct);
    public virtual Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct) => Inner.GetObjectTaggingAsync(bucket, key, ct);
    public virtual Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) => Inner.PutObjectTaggingAsync(bucket, key, tags, ct);
    public virtual Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct) => Inner.PutObjectAclAsync(bucket, key, acl, ct);

    public virtual Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => Inner.CreateMultipartUploadAsync(bucket, key, write, ct);
    public virtual Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) =>
        Inner.UploadPartAsync(bucket, key, uploadId, partNumber, body, write, ct);
    public virtual Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected,
        WriteCondition condition, CancellationToken ct) => Inner.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, expected, condition, ct);
    public virtual Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => Inner.AbortMultipartUploadAsync(bucket, key, uploadId, ct);
    public virtual Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) =>
        Inner.ListPartsAsync(bucket, key, uploadId, partNumberMarker, maxParts, ct);
    public virtual Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) => Inner.ListMultipartUploadsAsync(bucket, request, ct);

    public virtual Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) => Inner.GetBucketVersioningAsync(bucket, ct);
    public virtual Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) => Inner.PutBucketVersioningAsync(bucket, state, ct);
    public virtual Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        Inner.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct);
    public virtual Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        Inner.GetObjectVersionAsync(bucket, key, versionId, request, ct);
    public virtual Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) => Inner.DeleteObjectVersionAsync(bucket, key, versionId, ct);
    public virtual Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) => Inner.ListObjectVersionsAsync(bucket, request, ct);
    public virtual Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        Inner.GetObjectVersionTaggingAsync(bucket, key, versionId, ct);
    public virtual Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Inner.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct);
    public virtual Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) => Inner.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct);

    public virtual Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct) => Inner.CreateBucketAsync(bucket, objectLock, ct);
    public virtual Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) => Inner.GetObjectLockConfigurationAsync(bucket, ct);
    public virtual Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct) => Inner.PutObjectLockConfigurationAsync(bucket, configuration, ct);
    public virtual Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct) =>
        Inner.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);
    public virtual Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct) => Inner.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);
    public virtual Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct) =>
        Inner.DeleteObjectVersionAsync(bucket, key, versionId, delete, ct);
}
