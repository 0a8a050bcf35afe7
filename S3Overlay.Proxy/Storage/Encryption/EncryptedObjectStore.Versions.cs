using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// Versions pass through the layer as objects do: a version read is decrypted as the current
/// object is (its range's packages read of that version), and everything else is the store's own,
/// forwarded by <see cref="ForwardingStore"/> (a listing of versions shows an encrypted version
/// with its sealed size; the current object's listing tells the plaintext's). Object Lock is the
/// store's own too: a lock is in a version's metadata, which the layer passes through untouched.
/// </summary>
internal sealed partial class EncryptedObjectStore
{
    public override async Task<ObjectInfo> HeadObjectVersionAsync(string bucket, string key, string versionId, ReadConditions conditions, CancellationToken ct) =>
        await DescribeAsync(bucket, key, await Inner.HeadObjectVersionAsync(bucket, key, versionId, Envelope.StoredConditions(conditions), ct), ct);

    public override async Task<ObjectContent> GetObjectVersionAsync(string bucket, string key, string versionId, ObjectReadRequest request, CancellationToken ct)
    {
        var content = await Inner.GetObjectVersionAsync(bucket, key, versionId,
            request with { Encryption = null, Conditions = Envelope.StoredConditions(request.Conditions) }, ct);
        return await OpenAsync(bucket, key, request, content, ct, versionId);
    }
}
