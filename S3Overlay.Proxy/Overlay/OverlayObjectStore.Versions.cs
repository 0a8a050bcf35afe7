using S3Overlay.Storage;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay;

/// <summary>
/// Versions through the overlay: a bucket no remote backs is the local store's alone, and keeps
/// versions as the local store does. A bucket the remote backs keeps none: its deletes are
/// whiteouts over the remote's objects, which versions and delete markers would have to agree
/// with, so enabling versioning there is refused, saying why, and its one version is the null one.
/// </summary>
public sealed partial class OverlayObjectStore
{
    private const string RemoteBackedRefusal =
        "Versioning is not offered on a bucket a remote backs: its deletes hide the remote's objects, which versions would have to agree with.";

    private bool LocalOnly(string bucket) => parts.Remote.BucketOf(Guard(bucket)) is null;

    public Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.GetBucketVersioningAsync(bucket, ct) : UnversionedStore.GetVersioningAsync(this, bucket, ct);

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.PutBucketVersioningAsync(bucket, state, ct) : UnversionedStore.PutVersioningAsync(this, bucket, state, ct, RemoteBackedRefusal);

    public Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct) : UnversionedStore.HeadVersionAsync(this, bucket, key, versionId, conditions, ct);

    public Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.GetObjectVersionAsync(bucket, key, versionId, request, ct) : UnversionedStore.GetVersionAsync(this, bucket, key, versionId, request, ct);

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.DeleteObjectVersionAsync(bucket, key, versionId, ct) : UnversionedStore.DeleteVersionAsync(this, bucket, key, versionId, ct);

    public Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.ListObjectVersionsAsync(bucket, request, ct) : UnversionedStore.ListVersionsAsync(this, bucket, request, ct);

    public Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.GetObjectVersionTaggingAsync(bucket, key, versionId, ct) : UnversionedStore.GetVersionTaggingAsync(this, bucket, key, versionId, ct);

    public Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct) : UnversionedStore.PutVersionTaggingAsync(this, bucket, key, versionId, tags, ct);

    public Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct) : UnversionedStore.PutVersionAclAsync(this, bucket, key, versionId, acl, ct);
}
