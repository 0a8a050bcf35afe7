using Amazon.S3.Model;

namespace S3Overlay.Storage.S3;

/// <summary>Tags are the server's own object tags (its tagging API), never reserved metadata.</summary>
public sealed partial class S3ObjectStore
{
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        var response = await CallAsync(bucket, key, t => _client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key }, t), ct);
        return FromSdk(response.Tagging);
    }

    /// <remarks>An empty set is written as one (not DeleteObjectTagging): the same on S3, and servers such as s3rver lack the delete.</remarks>
    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        CallAsync(bucket, key, t => _client.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = bucket,
            Key = key,
            Tagging = new Tagging { TagSet = ToSdk(tags) ?? [] },
        }, t), ct);

    /// <summary>The tags to send with a write (x-amz-tagging), or null for none (the SDK then sends no header).</summary>
    private static List<Tag>? ToSdk(IReadOnlyDictionary<string, string> tags) =>
        tags.Count == 0 ? null : tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();

    private static SortedDictionary<string, string> FromSdk(List<Tag>? tags)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? []) result[tag.Key] = tag.Value ?? "";
        return result;
    }

    /// <summary>A GET tells how many tags the object has, not which: those are asked for only when there are some.</summary>
    private async Task<ObjectInfo> WithTagsAsync(ObjectInfo info, int? tagCount, string bucket, CancellationToken ct) =>
        tagCount is > 0
            ? info with { Metadata = info.Metadata with { Tags = await GetObjectTaggingAsync(bucket, info.Key, ct) } }
            : info;
}
