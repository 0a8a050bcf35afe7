using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// A bucket's ObjectOwnership control (<c>?ownershipControls</c>, <c>x-amz-object-ownership</c> on
/// CreateBucket), kept with the bucket's owner and ACL. A bucket without one answers
/// OwnershipControlsNotFoundError and behaves as ObjectWriter (<see cref="ObjectOwnership"/>).
/// BucketOwnerEnforced is refused while the bucket's ACL grants anyone but its owner
/// (InvalidBucketAclWithObjectOwnership), as S3 refuses it.
/// </summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketOwnershipControls(S3Request r)
    {
        var control = (await bucketAcls.GetAsync(r.Bucket, r.Aborted)).ObjectOwnership
            ?? throw new S3Exception(S3Error.OwnershipControlsNotFound, r.Bucket).With("BucketName", r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, "OwnershipControls", async xml =>
        {
            await xml.WriteStartElementAsync(null, "Rule", null);
            await xml.ElementAsync("ObjectOwnership", control);
            await xml.WriteEndElementAsync();
        });
    }

    public async Task PutBucketOwnershipControls(S3Request r)
    {
        var document = await S3XmlRequest.ReadAsync(r, 16 * 1024);
        var rules = document.Children("Rule").ToList();
        var control = rules is [var rule] ? rule.ChildText("ObjectOwnership") : null;
        if (document.Name.LocalName != "OwnershipControls" || !ObjectOwnership.IsKnown(control)) throw new S3Exception(S3Error.MalformedXML);
        var current = await bucketAcls.GetAsync(r.Bucket, r.Aborted);
        if (control == ObjectOwnership.BucketOwnerEnforced && !current.OnlyOwner) throw new S3Exception(S3Error.InvalidBucketAclWithObjectOwnership);
        await bucketAcls.SetAsync(r.Bucket, current.WithObjectOwnership(control), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketOwnershipControls(S3Request r)
    {
        await bucketAcls.SetAsync(r.Bucket, (await bucketAcls.GetAsync(r.Bucket, r.Aborted)).WithObjectOwnership(null), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The owner (the creator), ACL and ObjectOwnership control of the bucket a CreateBucket makes.</summary>
    private AccessControlList NewBucketAcl(S3Request r)
    {
        var owner = r.User?.CanonicalId ?? S3Owner.Id;
        var acl = AccessControlList.FromHeaders(r.Request, owner, owner, auth.Users) ?? AccessControlList.Private(owner);
        var control = r.Request.Headers["x-amz-object-ownership"].ToString() is { Length: > 0 } given ? given : null;
        if (control is not null && !ObjectOwnership.IsKnown(control))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("Invalid x-amz-object-ownership header")).With("ArgumentName", "x-amz-object-ownership");
        if (control == ObjectOwnership.BucketOwnerEnforced && !acl.OnlyOwner) throw new S3Exception(S3Error.InvalidBucketAclWithObjectOwnership);
        return acl.WithObjectOwnership(control);
    }
}
