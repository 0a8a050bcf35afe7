using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Acl;

/// <summary>
/// The owner and ACL of an object a request writes (PutObject, CopyObject, CreateMultipartUpload, a
/// form upload), as its bucket's ObjectOwnership decides: the writer owns it (ObjectWriter, or no
/// control); the bucket's owner does under BucketOwnerEnforced, whose buckets refuse every ACL but
/// <c>bucket-owner-full-control</c> (AccessControlListNotSupported), and under BucketOwnerPreferred
/// when it is written with <c>bucket-owner-full-control</c>. An anonymous writer's object is the
/// bucket owner's.
/// </summary>
internal sealed class NewObjectAcls(BucketAcls bucketAcls, BucketPublicAccessBlocks blocks, AuthSettings auth)
{
    /// <returns>The stored form (null: private, the bucket owner's).</returns>
    public async Task<string?> ForAsync(HttpRequest headers, string bucket, S3User? writer, CancellationToken ct)
    {
        var requested = AccessControlList.Requested(headers);
        // What the root writes with no ACL is private and the bucket owner's: nothing to look up.
        if (writer?.IsRoot == true && !requested) return null;
        var bucketAcl = await bucketAcls.GetAsync(bucket, ct);
        var canned = headers.Headers["x-amz-acl"].ToString();
        if (!bucketAcl.AclsEnabled)
        {
            if (requested && canned != "bucket-owner-full-control") throw new S3Exception(S3Error.AccessControlListNotSupported);
            return null;
        }
        var owner = writer?.CanonicalId ?? bucketAcl.Owner;
        if (bucketAcl.ObjectOwnership == ObjectOwnership.BucketOwnerPreferred && canned == "bucket-owner-full-control") owner = bucketAcl.Owner;
        var acl = AccessControlList.FromHeaders(headers, owner, bucketAcl.Owner, auth.Users) ?? AccessControlList.Private(owner);
        (await blocks.GetAsync(bucket, ct)).CheckAcl(acl);
        return acl.ToText(bucketAcl.Owner);
    }
}
