using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

internal sealed partial class S3ObjectStore
{
    /// <remarks>
    /// The server pages; this filters. A server's StartAfter skips keys only, so the common
    /// prefix that holds StartAfter (or equals it) comes back and is dropped here, and pages are
    /// resumed by StartAfter rather than continuation tokens (some servers page delimited
    /// listings wrongly by token). Listed objects carry the server's ETag and Last-Modified:
    /// ListObjectsV2 returns no user metadata, so a preserved value shows only on Head and Get.
    /// </remarks>
    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (request.MaxKeys <= 0)
            return await BucketExistsAsync(bucket, ct) ? new ListPage([], [], false, null) : throw StorageException.BucketNotFound(bucket);
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        var after = request.StartAfter;
        string? last = null;
        var truncated = false;
        while (true)
        {
            var list = new ListObjectsV2Request
            {
                BucketName = bucket,
                Prefix = request.Prefix,
                Delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter,
                StartAfter = string.IsNullOrEmpty(after) ? null : after,
                // One more than asked for: the entry that holds StartAfter may be dropped.
                MaxKeys = Math.Clamp(request.MaxKeys - objects.Count - prefixes.Count + 1, 1, 1000),
                // Names XML cannot carry (U+0001) come percent-encoded (PlainListingHandler sees to
                // it where the server does not), so no key can make a listing unreadable.
                Encoding = EncodingType.Url,
            };
            var page = await CallAsync(bucket, null, t => _client.ListObjectsV2Async(list, t), ct);
            var decode = page.Encoding == EncodingType.Url;
            string Name(string name) => decode ? WebUtility.UrlDecode(name) : name;
            var entries = (page.S3Objects ?? []).Select(o => (Name: Name(o.Key), Object: (S3Object?)o))
                .Concat((page.CommonPrefixes ?? []).Select(p => (Name: Name(p), Object: (S3Object?)null)))
                .OrderBy(e => e.Name, Utf8Order.Instance)
                .ToList();
            foreach (var (name, obj) in entries.Select(e => (e.Name, e.Object)))
            {
                if (request.StartAfter is not null && Utf8Order.Compare(name, request.StartAfter) <= 0) continue;
                if (last is not null && Utf8Order.Compare(name, last) <= 0) continue;
                if (objects.Count + prefixes.Count >= request.MaxKeys)
                {
                    truncated = true;
                    break;
                }
                if (obj is null) prefixes.Add(name);
                else objects.Add(new ObjectInfo(name, obj.Size ?? 0, obj.ETag, PreservedMetadata.ToOffset(obj.LastModified), ObjectMetadata.Empty));
                last = name;
            }
            if (truncated || page.IsTruncated != true || entries.Count == 0) break;
            if (objects.Count + prefixes.Count >= request.MaxKeys)
            {
                truncated = true;
                break;
            }
            after = entries[^1].Name;
        }
        return new ListPage(objects, prefixes, truncated, truncated ? last : null);
    }
}
