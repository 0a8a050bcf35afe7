using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Hidden;

/// <summary>
/// Keeps hidden buckets out of ListBuckets and hidden keys out of everything that reads: listings
/// leave them out (pages stay full and exact, resuming past hidden runs), GET and HEAD answer
/// NoSuchKey. A decorator of the one seam, so the S3 front end, the browser and every other
/// consumer see the same namespace. Writes and deletes pass through: hiding is not permission.
/// </summary>
internal sealed class HiddenObjectsStore(IObjectStore inner, HiddenNamespace hidden) : ForwardingStore(inner)
{
    /// <summary>Sorts after every character a key can hold, so <c>prefix + Beyond</c> resumes past all keys under the prefix.</summary>
    private const string Beyond = "\U0010FFFF";

    public override async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        (await Inner.ListBucketsAsync(ct)).Where(b => !hidden.IsHiddenBucket(b.Name)).ToList();

    public override async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.HeadObjectAsync(bucket, key, conditions, ct);
    }

    // A hidden key is missing to the lookups that answer null for missing, as to the others.
    public override Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct) =>
        hidden.HidingPrefix(bucket, key) is null ? Inner.FindObjectAsync(bucket, key, ct) : Task.FromResult<ObjectInfo?>(null);

    public override Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        hidden.HidingPrefix(bucket, key) is null ? Inner.TryGetObjectAsync(bucket, key, request, ct) : Task.FromResult<ObjectContent?>(null);

    public override async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.GetObjectAsync(bucket, key, request, ct);
    }

    public override async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.GetObjectTaggingAsync(bucket, key, ct);
    }

    public override async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (!hidden.Prefixes.ContainsKey(bucket) || request.MaxKeys <= 0) return await Inner.ListObjectsAsync(bucket, request, ct);

        // Collect one visible entry more than asked: it says whether the page is truly truncated.
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        var kept = new List<string>();
        var startAfter = request.StartAfter;
        while (true)
        {
            var page = await Inner.ListObjectsAsync(bucket, request with { StartAfter = startAfter, MaxKeys = request.MaxKeys + 1 - kept.Count }, ct);
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
        if (await Inner.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
        throw StorageException.ObjectNotFound(key);
    }

    // Versions: reads of a hidden key's versions answer as its reads do; writes pass through (the base).

    public override async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.HeadObjectVersionAsync(bucket, key, versionId, conditions, ct);
    }

    public override async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.GetObjectVersionAsync(bucket, key, versionId, request, ct);
    }

    public override async Task<IReadOnlyDictionary<string, string>> GetObjectVersionTaggingAsync(string bucket, string key, string versionId, CancellationToken ct)
    {
        await RefuseHiddenAsync(bucket, key, ct);
        return await Inner.GetObjectVersionTaggingAsync(bucket, key, versionId, ct);
    }

    /// <summary>Hidden keys' versions are left out; a page may then hold fewer than asked, and says where to resume all the same.</summary>
    public override async Task<Versions.VersionsPage> ListObjectVersionsAsync(string bucket, Versions.VersionsRequest request, CancellationToken ct)
    {
        var page = await Inner.ListObjectVersionsAsync(bucket, request, ct);
        if (!hidden.Prefixes.ContainsKey(bucket)) return page;
        return page with
        {
            Versions = page.Versions.Where(v => hidden.HidingPrefix(bucket, v.Info.Key) is null).ToList(),
            CommonPrefixes = page.CommonPrefixes.Where(p => hidden.HidingPrefix(bucket, p) is null).ToList(),
        };
    }
}
