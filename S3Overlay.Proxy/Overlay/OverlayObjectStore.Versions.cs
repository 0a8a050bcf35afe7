using S3Overlay.Storage;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay;

/// <summary>
/// Versions through the overlay: a bucket no remote backs is the local store's alone, and keeps
/// versions as the local store does. A bucket the remote backs has the versioning of its local
/// bucket (the remote is never asked to change): while that was never enabled, each key's one
/// version is the null one; once it was, the local store's versions stack over the remote's
/// objects, which are the null versions of the merged view (Overlay/Versions/).
/// </summary>
internal sealed partial class OverlayObjectStore
{
    private bool LocalOnly(string bucket) => parts.Remote.BucketOf(Guard(bucket)) is null;

    /// <summary>Whether a bucket the remote backs has versioning (enabled or suspended) in its local bucket.</summary>
    private async ValueTask<bool> StacksVersionsAsync(string bucket, CancellationToken ct) => await parts.Versioning.KeepsVersionsAsync(bucket, ct);

    public Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.GetBucketVersioningAsync(bucket, ct) : RemoteBackedVersioningAsync(bucket, ct);

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) =>
        LocalOnly(bucket) ? _local.PutBucketVersioningAsync(bucket, state, ct) : PutRemoteBackedVersioningAsync(bucket, state, ct);

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct)
        : await StacksVersionsAsync(bucket, ct) ? await HeadStackedVersionAsync(bucket, key, versionId, conditions, ct)
        : await UnversionedStore.HeadVersionAsync(this, bucket, key, versionId, conditions, ct);

    public async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.GetObjectVersionAsync(bucket, key, versionId, request, ct)
        : await StacksVersionsAsync(bucket, ct) ? await GetStackedVersionAsync(bucket, key, versionId, request, ct)
        : await UnversionedStore.GetVersionAsync(this, bucket, key, versionId, request, ct);

    public async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.DeleteObjectVersionAsync(bucket, key, versionId, ct)
        : await StacksVersionsAsync(bucket, ct) ? await DeleteStackedVersionAsync(bucket, key, versionId, ct)
        : await UnversionedStore.DeleteVersionAsync(this, bucket, key, versionId, ct);

    public async Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.ListObjectVersionsAsync(bucket, request, ct)
        : await StacksVersionsAsync(bucket, ct) ? await parts.Versions.ListAsync(bucket, request, ct)
        : await UnversionedStore.ListVersionsAsync(this, bucket, request, ct);

    public async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        LocalOnly(bucket) ? await _local.GetObjectVersionTaggingAsync(bucket, key, versionId, ct)
        : await StacksVersionsAsync(bucket, ct) ? await GetStackedVersionTaggingAsync(bucket, key, versionId, ct)
        : await UnversionedStore.GetVersionTaggingAsync(this, bucket, key, versionId, ct);

    /// <remarks>Tags and ACLs of a bucket the remote backs are written locally: the remote's null version has the remote's, unchangeable here.</remarks>
    public async Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await _local.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct);
        else await UnversionedStore.PutVersionTaggingAsync(this, bucket, key, versionId, tags, ct);
    }

    public async Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await _local.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct);
        else await UnversionedStore.PutVersionAclAsync(this, bucket, key, versionId, acl, ct);
    }
}
