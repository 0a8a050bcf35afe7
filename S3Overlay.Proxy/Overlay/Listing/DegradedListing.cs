using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Listing;

/// <summary>
/// The remote's part of a listing while the remote is down, from what the local store holds of
/// it (opt-in, <c>S3_OVERLAY_DEGRADED_LISTINGS</c>): the chunked objects whose
/// manifests are in the cache bucket. Objects filled whole are in the local bucket and listed as
/// its own. Opt-in, because a partial listing can make a sync tool delete what it does not see.
/// </summary>
internal sealed class DegradedListing([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource source, FillRecords records, OverlaySettings settings)
{
    /// <returns>The page, marked <see cref="ListPage.Degraded"/>; null when the bucket has no remote.</returns>
    public async Task<ListPage?> ListAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (source.BucketOf(bucket) is not { } remoteBucket) return null;
        // Manifest keys end in a suffix, which sorts them differently from the keys they name:
        // every one under the prefix is read, then ordered as S3 orders keys.
        var keys = new List<string>();
        var root = CacheKeys.ManifestPrefix + remoteBucket + "/";
        string? after = null;
        do
        {
            ListPage page;
            try
            {
                page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(root + request.Prefix, null, after), ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
            {
                break; // nothing cached yet
            }
            foreach (var manifest in page.Objects)
                if (CacheKeys.ParseManifest(manifest.Key) is { } named && named.RemoteBucket == remoteBucket) keys.Add(named.Key);
            after = page.IsTruncated ? page.NextStartAfter : null;
        } while (after is not null);
        keys.Sort(Utf8Order.Instance);

        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        var truncated = false;
        foreach (var key in keys)
        {
            var name = request.CommonPrefixOf(key) ?? key;
            if (request.StartAfter is not null && Utf8Order.Compare(name, request.StartAfter) <= 0 || name == last) continue;
            if (objects.Count + prefixes.Count >= request.MaxKeys)
            {
                truncated = true;
                break;
            }
            if (name != key) prefixes.Add(name);
            else if (await records.ReadAsync(remoteBucket, key, ct) is { IsChunked: true } manifest) objects.Add(manifest.ToObjectInfo(key));
            else continue;
            last = name;
        }
        return new ListPage(objects, prefixes, truncated, truncated ? last : null) { Degraded = true };
    }
}
