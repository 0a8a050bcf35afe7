using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Acl;

/// <summary>
/// The buckets' owners, ACLs and ObjectOwnership controls, read once and remembered
/// (<see cref="BucketSettingCache{T}"/>): kept together as the bucket's <c>acl</c> setting, one
/// small record written whole, so an owner never goes without its ACL or the other way round. A
/// bucket without the setting (every bucket made before owners) is the root key's and private.
/// </summary>
internal sealed class BucketAcls(IObjectStore store, TimeProvider clock) : BucketSettingCache<AccessControlList>(store, clock, BucketSettings.Acl)
{
    private readonly IObjectStore _store = store;

    protected override AccessControlList Parse(string bucket, string? text) => AccessControlList.Parse(text, S3Owner.Id);

    /// <summary>The bucket's ACL; NoSuchBucket when there is no bucket.</summary>
    public async Task<AccessControlList> GetAsync(string bucket, CancellationToken ct) => (await OfAsync(bucket, ct))!;

    /// <summary>The bucket's owner; null when there is no bucket.</summary>
    public async Task<string?> OwnerOrNullAsync(string bucket, CancellationToken ct)
    {
        try
        {
            return (await GetAsync(bucket, ct)).Owner;
        }
        catch (StorageException e) when (e.Fault is StorageFault.BucketNotFound or StorageFault.InvalidBucketName)
        {
            return null;
        }
    }

    public async Task SetAsync(string bucket, AccessControlList acl, CancellationToken ct)
    {
        await _store.PutBucketSettingAsync(bucket, BucketSettings.Acl, acl.ToText(S3Owner.Id), ct);
        Forget(bucket);
    }
}
