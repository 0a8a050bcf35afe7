using Amazon.S3.Model;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Tags are the server's own object tags (its tagging API). ACLs are enforced by our front end,
/// not by the server (it sees only our credentials): an object's travels as reserved metadata,
/// a bucket's settings are objects in a settings bucket of ours, which ListBuckets leaves out.
/// </summary>
internal sealed partial class S3ObjectStore
{
    public const string SettingsBucket = "s3overlay-bucket-settings";

    /// <summary>A metadata-only copy onto itself (no bytes through us), keeping the preserved ETag and Last-Modified.</summary>
    public async Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct)
    {
        var info = await HeadAsync(bucket, key, ct);
        var copy = MetadataRewrite(bucket, key);
        var write = new ObjectWrite { Metadata = info.Metadata with { Acl = acl }, ETag = info.ETag, LastModified = info.LastModified };
        PreservedMetadata.Apply(write, copy.Headers, copy.Metadata);
        await CallAsync(bucket, key, t => _client.CopyObjectAsync(copy, t), ct, Timeout.InfiniteTimeSpan);
    }

    public async Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct)
    {
        if (!await BucketExistsAsync(bucket, ct)) throw StorageException.BucketNotFound(bucket);
        try
        {
            using var response = await CallAsync(SettingsBucket, SettingKey(bucket, name), t => _client.GetObjectAsync(SettingsBucket, SettingKey(bucket, name), t), ct);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }

    public async Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct)
    {
        if (!await BucketExistsAsync(bucket, ct)) throw StorageException.BucketNotFound(bucket);
        var key = SettingKey(bucket, name);
        if (value is null)
        {
            // No settings bucket yet: no setting to remove (DeleteBucketCors of a bucket that never had rules).
            if (await BucketExistsAsync(SettingsBucket, ct))
                await CallAsync(SettingsBucket, key, t => _client.DeleteObjectAsync(SettingsBucket, key, t), ct);
            return;
        }
        if (!await BucketExistsAsync(SettingsBucket, ct))
        {
            try { await CreateBucketAsync(SettingsBucket, ct); }
            catch (StorageException e) when (e.IsConflict) { } // another replica made it first
        }
        await CallAsync(SettingsBucket, key, t => _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = SettingsBucket, Key = key, ContentBody = value, UseChunkEncoding = false, DisablePayloadSigning = true,
        }, t), ct);
    }

    /// <summary>Removes what a deleted bucket's settings left behind (a bucket of the same name starts afresh).</summary>
    private async Task DeleteBucketSettingsAsync(string bucket, CancellationToken ct)
    {
        if (!await BucketExistsAsync(SettingsBucket, ct)) return;
        var listed = await CallAsync(SettingsBucket, null, t => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = SettingsBucket, Prefix = bucket + "/" }, t), ct);
        foreach (var entry in listed.S3Objects ?? [])
            await CallAsync(SettingsBucket, entry.Key, t => _client.DeleteObjectAsync(SettingsBucket, entry.Key, t), ct);
    }

    private static string SettingKey(string bucket, string name) => bucket + "/" + name;

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
