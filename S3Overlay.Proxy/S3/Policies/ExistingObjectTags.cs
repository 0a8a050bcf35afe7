using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Policies;

/// <summary>
/// The tags an object has before the request (<c>s3:ExistingObjectTag/&lt;key&gt;</c>), read
/// only when a policy that judges the request names one: a request no such policy judges costs
/// no read. The version is the one the request names, when it is about that object.
/// </summary>
internal sealed class ExistingObjectTags(IObjectStore store)
{
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(string bucket, string key, ConditionKeys keys, CancellationToken ct)
    {
        try
        {
            return keys.VersionId is { } versionId && keys.Names(bucket, key)
                ? await store.GetObjectVersionTaggingAsync(bucket, key, versionId, ct)
                : await store.GetObjectTaggingAsync(bucket, key, ct);
        }
        catch (StorageException e) when (e.IsMissing || e.Fault is StorageFault.DeleteMarkerVersion or StorageFault.InvalidArgument)
        {
            // No object (or a delete marker, or no such version) has no tags: a condition on one
            // does not hold, and the operation itself tells what is missing where it may.
            return ObjectMetadata.EmptyMap;
        }
    }
}
