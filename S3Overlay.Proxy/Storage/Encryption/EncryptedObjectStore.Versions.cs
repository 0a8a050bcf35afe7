using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Versions pass through the layer as objects do: a version read is decrypted as the current
/// object is (its range's packages read of that version), and everything else is the store's own.
/// Every member is forwarded: the interface's defaults answer as a store that keeps no versions,
/// which would hide the store's versions behind this layer.
/// </summary>
internal partial class EncryptedObjectStore
{
    public Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) => Inner.GetBucketVersioningAsync(bucket, ct);

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) => Inner.PutBucketVersioningAsync(bucket, state, ct);

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        await DescribeAsync(bucket, key, await Inner.HeadObjectVersionAsync(bucket, key, versionId, Envelope.StoredConditions(conditions), ct), ct);

    public async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        var content = await Inner.GetObjectVersionAsync(bucket, key, versionId,
            request with { Encryption = null, Conditions = Envelope.StoredConditions(request.Conditions) }, ct);
        return await OpenAsync(bucket, key, request, content, ct, versionId);
    }

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        Inner.DeleteObjectVersionAsync(bucket, key, versionId, ct);

    /// <summary>The store's listing as it is: an encrypted version is listed with its sealed size (the current object's listing tells the plaintext's).</summary>
    public Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) =>
        Inner.ListObjectVersionsAsync(bucket, request, ct);

    public Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        Inner.GetObjectVersionTaggingAsync(bucket, key, versionId, ct);

    public Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Inner.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct);

    public Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) =>
        Inner.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct);
}
