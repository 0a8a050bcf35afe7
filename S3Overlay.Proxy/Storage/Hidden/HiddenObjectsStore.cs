using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Hidden;

/// <summary>
/// Keeps hidden buckets out of ListBuckets and hidden keys out of everything that reads: listings
/// leave them out (pages stay full and exact, resuming past hidden runs), GET and HEAD answer
/// NoSuchKey. A decorator of the one seam, so the S3 front end, the browser and every other
/// consumer see the same namespace. Writes and deletes pass through: hiding is not permission.
/// </summary>
internal sealed class HiddenObjectsStore(IObjectStore inner, HiddenNamespace hidden) : IObjectStore
{
    /// <summary>Sorts after every character a key can hold, so <c>prefix + Beyond</c> resumes past all keys under the prefix.</summary>
    private const string Beyond = "\U0010FFFF";

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        (await inner.ListBucketsAsync(ct)).Where(b => !hidden.IsHiddenBucket(b.Name)).ToList();

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.HeadObjectAsync(bucket, key, conditions, ct);
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.GetObjectAsync(bucket, key, request, ct);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.GetObjectTaggingAsync(bucket, key, ct);
    }

    public Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct) => inner.PutObjectAclAsync(bucket, key, acl, ct);
    public Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct) => inner.GetBucketSettingAsync(bucket, name, ct);
    public Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct) => inner.PutBucketSettingAsync(bucket, name, value, ct);

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        inner.PutObjectTaggingAsync(bucket, key, tags, ct);

    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (!hidden.Prefixes.ContainsKey(bucket) || request.MaxKeys <= 0) return await inner.ListObjectsAsync(bucket, request, ct);

        // Collect one visible entry more than asked: it says whether the page is truly truncated.
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        var kept = new List<string>();
        var startAfter = request.StartAfter;
        while (true)
        {
            var page = await inner.ListObjectsAsync(bucket, request with { StartAfter = startAfter, MaxKeys = request.MaxKeys + 1 - kept.Count }, ct);
            foreach (var (name, entry) in InOrder(page))
            {
                if (hidden.HidingPrefix(bucket, name) is not null) continue;
                if (entry is null && hidden.HidesPartOf(bucket, name) && !await HasVisibleKeyAsync(bucket, name, ct)) continue;
                if (kept.Count == request.MaxKeys)
                    return new ListPage(objects, prefixes, true, kept[^1]);
                if (entry is null) prefixes.Add(name);
                else objects.Add(entry);
                kept.Add(name);
            }
            if (!page.IsTruncated || page.NextStartAfter is null) return new ListPage(objects, prefixes, false, null);
            startAfter = ResumePoint(bucket, page.NextStartAfter);
        }
    }

    /// <summary>After a hidden entry, resume past its whole hidden prefix rather than page through it.</summary>
    private string ResumePoint(string bucket, string last) =>
        hidden.HidingPrefix(bucket, last) is { } prefix && Utf8Order.Compare(prefix + Beyond, last) > 0 ? prefix + Beyond : last;

    private async Task<bool> HasVisibleKeyAsync(string bucket, string commonPrefix, CancellationToken ct) =>
        (await ListObjectsAsync(bucket, new ListRequest(commonPrefix, null, null, 1), ct)).Objects.Count > 0;

    /// <summary>A page's keys and common prefixes merged in S3's order; the object is null for a common prefix.</summary>
    private static IEnumerable<(string Name, ObjectInfo? Entry)> InOrder(ListPage page)
    {
        int o = 0, p = 0;
        while (o < page.Objects.Count || p < page.CommonPrefixes.Count)
        {
            if (p == page.CommonPrefixes.Count || (o < page.Objects.Count && Utf8Order.Compare(page.Objects[o].Key, page.CommonPrefixes[p]) < 0))
                yield return (page.Objects[o].Key, page.Objects[o++]);
            else
                yield return (page.CommonPrefixes[p++], null);
        }
    }

    private async Task RefuseHiddenAsync(string bucket, string key, CancellationToken ct)
    {
        if (hidden.HidingPrefix(bucket, key) is null) return;
        // The bucket's own absence still says so, as for any key.
        if (await inner.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw StorageException.ObjectNotFound(key);
    }

    public Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct) => inner.GetBucketAsync(bucket, ct);
    public Task CreateBucketAsync(string bucket, CancellationToken ct) => inner.CreateBucketAsync(bucket, ct);
    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => inner.DeleteBucketAsync(bucket, ct);
    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct) => inner.PutObjectAsync(bucket, key, body, write, ct);
    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) => inner.DeleteObjectAsync(bucket, key, ct);
    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => inner.CreateMultipartUploadAsync(bucket, key, write, ct);
    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) => inner.UploadPartAsync(bucket, key, uploadId, partNumber, body, write, ct);
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct) => inner.CompleteMultipartUploadAsync(bucket, key, uploadId, parts, expected, condition, ct);
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => inner.AbortMultipartUploadAsync(bucket, key, uploadId, ct);
    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) => inner.ListPartsAsync(bucket, key, uploadId, partNumberMarker, maxParts, ct);
    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) => inner.ListMultipartUploadsAsync(bucket, request, ct);
    public Task CheckHealthAsync(CancellationToken ct) => inner.CheckHealthAsync(ct);

    // Versions: reads of a hidden key's versions answer as its reads do; writes pass through.
    public Task<Versions.BucketVersioning> GetBucketVersioningAsync(string bucket, CancellationToken ct) => inner.GetBucketVersioningAsync(bucket, ct);
    public Task PutBucketVersioningAsync(string bucket, Versions.BucketVersioning state, CancellationToken ct) => inner.PutBucketVersioningAsync(bucket, state, ct);
    public Task<Versions.DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, CancellationToken ct) => inner.DeleteObjectVersionAsync(bucket, key, versionId, ct);
    public Task PutObjectVersionTaggingAsync(string bucket, string key, string versionId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) => inner.PutObjectVersionTaggingAsync(bucket, key, versionId, tags, ct);
    public Task PutObjectVersionAclAsync(string bucket, string key, string versionId, string? acl, CancellationToken ct) => inner.PutObjectVersionAclAsync(bucket, key, versionId, acl, ct);
    public Task<Versions.DeletedVersion> DeleteObjectVersionAsync(string bucket, string key, string? versionId, bool bypassGovernance, CancellationToken ct) => inner.DeleteObjectVersionAsync(bucket, key, versionId, bypassGovernance, ct);

    // Object Lock is the store's own: every request passes through.
    public Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct) => inner.CreateBucketAsync(bucket, objectLock, ct);
    public Task<ObjectLock.ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucket, CancellationToken ct) => inner.GetObjectLockConfigurationAsync(bucket, ct);
    public Task PutObjectLockConfigurationAsync(string bucket, ObjectLock.ObjectLockConfiguration configuration, CancellationToken ct) => inner.PutObjectLockConfigurationAsync(bucket, configuration, ct);
    public Task PutObjectRetentionAsync(string bucket, string key, string? versionId, ObjectLock.ObjectRetention? retention, bool bypassGovernance, CancellationToken ct) => inner.PutObjectRetentionAsync(bucket, key, versionId, retention, bypassGovernance, ct);
    public Task PutObjectLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken ct) => inner.PutObjectLegalHoldAsync(bucket, key, versionId, on, ct);

    public async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct);
    }

    public async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.GetObjectVersionAsync(bucket, key, versionId, request, ct);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await inner.GetObjectVersionTaggingAsync(bucket, key, versionId, ct);
    }

    /// <summary>Hidden keys' versions are left out; a page may then hold fewer than asked, and says where to resume all the same.</summary>
    public async Task<Versions.VersionsPage> ListObjectVersionsAsync(string bucket, Versions.VersionsRequest request, CancellationToken ct)
    {
        var page = await inner.ListObjectVersionsAsync(bucket, request, ct);
        if (!hidden.Prefixes.ContainsKey(bucket)) return page;
        return page with
        {
            Versions = page.Versions.Where(v => hidden.HidingPrefix(bucket, v.Info.Key) is null).ToList(),
            CommonPrefixes = page.CommonPrefixes.Where(p => hidden.HidingPrefix(bucket, p) is null).ToList(),
        };
    }
}
