using S3Overlay.S3.Auth;
using S3Overlay.Storage;

namespace S3Overlay.S3.Acl;

/// <summary>
/// The <c>Owner</c> of each entry of a listing (ListObjects, ListObjectVersions): the object's own
/// owner where its listed metadata names one, else the bucket's (every object the bucket's owner
/// wrote, and any a store lists without its metadata).
/// </summary>
internal sealed class ListingOwners(string bucketOwner, UserDirectory users)
{
    public (string Id, string? DisplayName) Of(ObjectMetadata metadata)
    {
        var id = AccessControlList.OwnerNamedIn(metadata.Acl) ?? bucketOwner;
        return (id, users.DisplayNameOf(id));
    }
}
