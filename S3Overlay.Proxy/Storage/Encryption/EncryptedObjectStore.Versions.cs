using S3Overlay.Storage.Errors;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Versions pass through the layer as objects do: a version read is decrypted as the current
/// object is (its range's packages read of that version), and everything else is the store's own,
/// forwarded by <see cref="ForwardingStore"/>; a listing of versions tells each encrypted
/// version's plaintext size and ETag, as the current object's listing does. Object Lock is the
/// store's own too: a lock is in a version's metadata, which the layer passes through untouched.
/// </summary>
internal sealed partial class EncryptedObjectStore
{
    public override async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        await DescribeAsync(bucket, key, await Inner.HeadObjectVersionAsync(bucket, key, versionId, Envelope.StoredConditions(conditions), ct), ct);

    public override async Task<VersionsPage> ListObjectVersionsAsync(string bucket, VersionsRequest request, CancellationToken ct)
    {
        var page = await Inner.ListObjectVersionsAsync(bucket, request, ct);
        if (page.Versions.Count == 0 || (!_marked.ContainsKey(bucket) && await _holding.OfAsync(bucket, ct) is null)) return page;
        using var slots = new SemaphoreSlim(8);
        var versions = await Task.WhenAll(page.Versions.Select(async version =>
        {
            if (version.IsDeleteMarker) return version;
            await slots.WaitAsync(ct);
            try { return version with { Info = await ListedAsync(bucket, version.Info, () => FindVersionAsync(bucket, version, ct), ct) }; }
            finally { slots.Release(); }
        }));
        return page with { Versions = versions };
    }

    private async Task<ObjectInfo?> FindVersionAsync(string bucket, ObjectVersion version, CancellationToken ct)
    {
        try
        {
            return await Inner.HeadObjectVersionAsync(bucket, version.Info.Key, version.VersionId, ReadConditions.None, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null; // removed since it was listed
        }
    }

    public override async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        var content = await Inner.GetObjectVersionAsync(bucket, key, versionId,
            request with { Encryption = null, Conditions = Envelope.StoredConditions(request.Conditions) }, ct);
        return await OpenAsync(bucket, key, request, content, ct, versionId);
    }
}
