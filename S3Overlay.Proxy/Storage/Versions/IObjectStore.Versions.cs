using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage;

/// <summary>
/// Versions: what a store that keeps them answers. Every member has the answer of a store that
/// keeps none (<see cref="UnversionedStore"/>): its buckets are never versioned and each key's one
/// version is the null version. A version id is a store's own or <see cref="VersionIds.Null"/>.
/// </summary>
internal partial interface IObjectStore
{
    /// <summary>NoSuchBucket when the bucket does not exist.</summary>
    Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) => UnversionedStore.GetVersioningAsync(this, bucket, ct);

    /// <summary>Enables or suspends versioning (never back to <see cref="BucketVersioning.Unversioned"/>).</summary>
    Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) => UnversionedStore.PutVersioningAsync(this, bucket, state, ct);

    /// <summary>As <see cref="HeadObjectAsync"/>, of one version: NoSuchVersion when it does not exist, MethodNotAllowed (405) for a delete marker.</summary>
    Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        UnversionedStore.HeadVersionAsync(this, bucket, key, versionId, conditions, ct);

    /// <summary>As <see cref="GetObjectAsync"/>, of one version (see <see cref="HeadObjectVersionAsync"/>).</summary>
    Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        UnversionedStore.GetVersionAsync(this, bucket, key, versionId, request, ct);

    /// <summary>
    /// Without <paramref name="versionId"/>, as <see cref="DeleteObjectAsync"/> (which in a bucket
    /// that keeps versions makes a delete marker); with it, removes that version for good (a
    /// version that does not exist is no error, as in S3).
    /// </summary>
    Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        UnversionedStore.DeleteVersionAsync(this, bucket, key, versionId, ct);

    /// <summary>Every version and delete marker, keys in S3's order, each key's newest first.</summary>
    Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) =>
        UnversionedStore.ListVersionsAsync(this, bucket, request, ct);

    Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        UnversionedStore.GetVersionTaggingAsync(this, bucket, key, versionId, ct);

    /// <summary>As <see cref="PutObjectTaggingAsync"/>, of one version (its bytes are never rewritten).</summary>
    Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        UnversionedStore.PutVersionTaggingAsync(this, bucket, key, versionId, tags, ct);

    /// <summary>As <see cref="PutObjectAclAsync"/>, of one version.</summary>
    Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) =>
        UnversionedStore.PutVersionAclAsync(this, bucket, key, versionId, acl, ct);
}
