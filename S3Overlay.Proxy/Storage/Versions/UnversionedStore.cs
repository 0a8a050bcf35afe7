using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Versions;

/// <summary>
/// The version answers of a store that keeps no versions (the defaults of the seam, and the
/// overlay's for a bucket the remote backs): each key's one version is the null version.
/// </summary>
internal static class UnversionedStore
{
    public static async Task<BucketVersioning> GetVersioningAsync(IObjectStore store, string bucket, CancellationToken ct) =>
        await store.GetBucketAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : BucketVersioning.Unversioned;

    /// <summary>Suspending what was never enabled changes nothing; enabling is refused, saying so.</summary>
    public static async Task PutVersioningAsync(IObjectStore store, string bucket, BucketVersioning state, CancellationToken ct, string? why = null)
    {
        if (await store.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        if (state == BucketVersioning.Enabled)
            throw new StorageException(StorageFault.NotSupported, bucket, why ?? "This store does not keep versions.");
    }

    public static async Task<ObjectInfo> HeadVersionAsync(IObjectStore store, string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        await RequireNullAsync(store, bucket, key, versionId, ct);
        return await store.HeadObjectAsync(bucket, key, conditions, ct);
    }

    public static async Task<ObjectContent> GetVersionAsync(IObjectStore store, string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        await RequireNullAsync(store, bucket, key, versionId, ct);
        return await store.GetObjectAsync(bucket, key, request, ct);
    }

    public static Task<DeletedVersion> DeleteVersionAsync(IObjectStore store, string bucket, string key, string? versionId, CancellationToken ct) =>
        DeleteVersionAsync(store, bucket, key, versionId, () => store.DeleteObjectAsync(bucket, key, ct), ct);

    /// <param name="deleteCurrent">Deletes the key's object, its one version (the overlay's, with a delete's condition).</param>
    public static async Task<DeletedVersion> DeleteVersionAsync(IObjectStore store, string bucket, string key, string? versionId, Func<Task> deleteCurrent, CancellationToken ct)
    {
        if (versionId is not null && !VersionIds.IsWellFormed(versionId)) throw VersionIds.Invalid(versionId);
        if (versionId is null or VersionIds.Null) await deleteCurrent();
        else if (await store.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        return versionId is null ? DeletedVersion.Unversioned : new DeletedVersion(versionId, false);
    }

    /// <summary>The listing's keys, each as its null version.</summary>
    public static async Task<VersionsPage> ListVersionsAsync(IObjectStore store, string bucket, VersionsRequest request, CancellationToken ct)
    {
        // Past a key's null version (its only one) is past the key.
        var after = request.KeyMarker is { Length: > 0 } marker ? marker : null;
        var page = await store.ListObjectsAsync(bucket, new ListRequest(request.Prefix, request.Delimiter, after, request.MaxKeys), ct);
        var versions = page.Objects.Select(o => new ObjectVersion(o, VersionIds.Null, IsLatest: true, IsDeleteMarker: false)).ToList();
        var last = page.NextStartAfter;
        return new VersionsPage(versions, page.CommonPrefixes, page.IsTruncated, last,
            last is not null && versions.Count > 0 && versions[^1].Info.Key == last ? VersionIds.Null : null);
    }

    public static async Task<IReadOnlyDictionary<string, string>> GetVersionTaggingAsync(IObjectStore store, string bucket, string key, string versionId, CancellationToken ct)
    {
        await RequireNullAsync(store, bucket, key, versionId, ct);
        return await store.GetObjectTaggingAsync(bucket, key, ct);
    }

    public static async Task PutVersionTaggingAsync(IObjectStore store, string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        await RequireNullAsync(store, bucket, key, versionId, ct);
        await store.PutObjectTaggingAsync(bucket, key, tags, ct);
    }

    public static async Task PutVersionAclAsync(IObjectStore store, string bucket, string key, string versionId, string? acl, CancellationToken ct)
    {
        await RequireNullAsync(store, bucket, key, versionId, ct);
        await store.PutObjectAclAsync(bucket, key, acl, ct);
    }

    /// <summary>Only the null version exists: any other id is no version here.</summary>
    private static async Task RequireNullAsync(IObjectStore store, string bucket, string key, string versionId, CancellationToken ct)
    {
        if (!VersionIds.IsWellFormed(versionId)) throw VersionIds.Invalid(versionId);
        if (versionId == VersionIds.Null) return;
        if (await store.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw VersionIds.NoSuchVersion(key, versionId);
    }
}
