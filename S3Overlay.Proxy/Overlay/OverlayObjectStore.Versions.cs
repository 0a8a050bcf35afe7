using S3Overlay.Overlay.Versions;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.ObjectLock;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay;

/// <summary>
/// Versions through the overlay: a bucket no remote backs is the local store's alone, and keeps
/// versions as the local store does. A bucket the remote backs has the versioning of its local
/// bucket (the remote is never asked to change): while that was never enabled, each key's one
/// version is the null one; once it was, the local store's versions stack over the remote's
/// objects, which are the null versions of the merged view (<see cref="StackedVersions"/>).
/// </summary>
/// <remarks>
/// Object Lock through the overlay: a bucket no remote backs is the local store's alone and locks
/// as it does. A bucket the remote backs has the Object Lock of its local bucket, as it has its
/// versioning: the local versions stacked over the remote's objects lock as the local store locks
/// them (<see cref="StackedVersions"/>); the remote's objects, the null
/// versions, are never written here, so they are never locked.
/// </remarks>
internal sealed partial class OverlayObjectStore
{
    private bool LocalOnly(string bucket) => remote.BucketOf(Guard(bucket)) is null;

    /// <summary>Whether a bucket the remote backs has versioning (enabled or suspended) in its local bucket.</summary>
    private async ValueTask<bool> StacksVersionsAsync(string bucket, CancellationToken ct) => await versioning.KeepsVersionsAsync(bucket, ct);

    public Task<BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? local.GetBucketVersioningAsync(bucket, ct) : stacked.VersioningAsync(bucket, ct);

    public Task PutBucketVersioningAsync(string bucket, BucketVersioning state, CancellationToken ct) =>
        LocalOnly(bucket) ? local.PutBucketVersioningAsync(bucket, state, ct) : stacked.PutVersioningAsync(bucket, state, ct);

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct)
        : await StacksVersionsAsync(bucket, ct) ? await stacked.HeadAsync(bucket, key, versionId, conditions, ct)
        : await UnversionedStore.HeadVersionAsync(this, bucket, key, versionId, conditions, ct);

    public async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.GetObjectVersionAsync(bucket, key, versionId, request, ct)
        : await StacksVersionsAsync(bucket, ct) ? await stacked.GetAsync(bucket, key, versionId, request, ct)
        : await UnversionedStore.GetVersionAsync(this, bucket, key, versionId, request, ct);

    public Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) =>
        DeleteObjectVersionAsync(bucket, key, versionId, ObjectDelete.Plain, ct);

    public async Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.ListObjectVersionsAsync(bucket, request, ct)
        : await StacksVersionsAsync(bucket, ct) ? await stacked.ListAsync(bucket, request, ct)
        : await UnversionedStore.ListVersionsAsync(this, bucket, request, ct);

    public async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.GetObjectVersionTaggingAsync(bucket, key, versionId, ct)
        : await StacksVersionsAsync(bucket, ct) ? await stacked.GetTaggingAsync(bucket, key, versionId, ct)
        : await UnversionedStore.GetVersionTaggingAsync(this, bucket, key, versionId, ct);

    /// <remarks>Tags and ACLs of a bucket the remote backs are written locally: the remote's null version has the remote's, unchangeable here.</remarks>
    public async Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await local.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct);
        else await UnversionedStore.PutVersionTaggingAsync(this, bucket, key, versionId, tags, ct);
    }

    public async Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await local.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct);
        else await UnversionedStore.PutVersionAclAsync(this, bucket, key, versionId, acl, ct);
    }

    /// <summary>A bucket the remote backs gets its Object Lock locally, with its versioning, as a bucket made here would.</summary>
    public async Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct)
    {
        if (!objectLock)
        {
            await CreateBucketAsync(bucket, ct);
            return;
        }
        await local.CreateBucketAsync(Guard(bucket), true, ct);
        if (!LocalOnly(bucket)) versioning.Set(bucket, BucketVersioning.Enabled);
    }

    /// <summary>
    /// A bucket the remote backs can have Object Lock only while its local bucket keeps versions:
    /// known without asking otherwise, since writes ask this of every bucket and the local store's
    /// requests are counted. (GetObjectLockConfiguration itself tells a missing bucket apart.)
    /// </summary>
    public async Task<ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.GetObjectLockConfigurationAsync(bucket, ct)
        : await StacksVersionsAsync(bucket, ct) ? await local.GetObjectLockConfigurationAsync(bucket, ct)
        : null;

    /// <summary>Enabling it needs versioning enabled first, as S3 requires; a bucket the remote backs has it in its local bucket.</summary>
    public async Task PutObjectLockConfigurationAsync(string bucket, ObjectLockConfiguration configuration, CancellationToken ct)
    {
        if (LocalOnly(bucket) || await StacksVersionsAsync(bucket, ct)) await local.PutObjectLockConfigurationAsync(bucket, configuration, ct);
        else if (await GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        else throw new StorageException(StorageFault.WrongBucketState, bucket, "Versioning must be enabled on the bucket to enable Object Lock.");
    }

    public async Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectRetention? retention, bool bypassGovernance, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await local.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);
        else await local.PutObjectRetentionAsync(bucket, key, await stacked.LockableVersionAsync(bucket, key, versionId, ct), retention, bypassGovernance, ct);
    }

    public async Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct)
    {
        if (LocalOnly(bucket)) await local.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);
        else await local.PutObjectLegalHoldAsync(bucket, key, await stacked.LockableVersionAsync(bucket, key, versionId, ct), on, ct);
    }

    public async Task<DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, ObjectDelete delete, CancellationToken ct) =>
        LocalOnly(bucket) ? await local.DeleteObjectVersionAsync(bucket, key, versionId, delete, ct)
        : await StacksVersionsAsync(bucket, ct) ? await stacked.DeleteAsync(bucket, key, versionId, delete, ct)
        : await UnversionedStore.DeleteVersionAsync(this, bucket, key, versionId, () => deletes.WhiteOutAsync(Guard(bucket), key, delete, ct), ct);
}
