using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Bucket and object ACLs: kept through the store (a bucket setting, with the bucket's owner; the
/// object's metadata, with the object's), answered as S3 does, and enforced by
/// <see cref="AclAccess"/>. A bucket whose ObjectOwnership is BucketOwnerEnforced has no ACLs: it
/// answers its owner's full control and refuses to set any (AccessControlListNotSupported).
/// </summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketAcl(S3Request r) =>
        await (await bucketAcls.GetAsync(r.Bucket, r.Aborted)).WriteXmlAsync(r.Response, auth.Users);

    public async Task PutBucketAcl(S3Request r)
    {
        var current = await bucketAcls.GetAsync(r.Bucket, r.Aborted);
        if (!current.AclsEnabled) throw new S3Exception(S3Error.AccessControlListNotSupported);
        var acl = await RequestedAclAsync(r, current.Owner, current.Owner);
        (await publicAccessBlocks.GetAsync(r.Bucket, r.Aborted)).CheckAcl(acl);
        await bucketAcls.SetAsync(r.Bucket, current.WithGrantsOf(acl), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>GET ?acl on an object: the object must exist (NoSuchKey otherwise).</summary>
    public async Task GetObjectAcl(S3Request r)
    {
        var info = await HeadAsync(r, ReadConditions.None);
        var bucketAcl = await bucketAcls.GetAsync(r.Bucket, r.Aborted);
        WriteVersionId(r, VersionIdOf(r));
        var acl = bucketAcl.AclsEnabled ? AccessControlList.Parse(info.Metadata.Acl, bucketAcl.Owner) : AccessControlList.Private(bucketAcl.Owner);
        await acl.WriteXmlAsync(r.Response, auth.Users);
    }

    public async Task PutObjectAcl(S3Request r)
    {
        var info = await HeadAsync(r, ReadConditions.None);
        var bucketAcl = await bucketAcls.GetAsync(r.Bucket, r.Aborted);
        if (!bucketAcl.AclsEnabled) throw new S3Exception(S3Error.AccessControlListNotSupported);
        var acl = await RequestedAclAsync(r, AccessControlList.Parse(info.Metadata.Acl, bucketAcl.Owner).Owner, bucketAcl.Owner);
        (await publicAccessBlocks.GetAsync(r.Bucket, r.Aborted)).CheckAcl(acl);
        var text = acl.ToText(bucketAcl.Owner);
        if (VersionIdOf(r) is not { } versionId) await store.PutObjectAclAsync(r.Bucket, r.Key, text, r.Aborted);
        else await store.PutObjectVersionAclAsync(r.Bucket, r.Key, versionId, text, r.Aborted);
        WriteVersionId(r, VersionIdOf(r));
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>The ACL a Put*Acl sets on a resource of <paramref name="owner"/>: from its headers (canned or grants), else from its AccessControlPolicy body.</summary>
    private async Task<AccessControlList> RequestedAclAsync(S3Request r, string owner, string bucketOwner) =>
        AccessControlList.FromHeaders(r.Request, owner, bucketOwner, auth.Users)
        ?? AccessControlList.FromXml(await S3XmlRequest.ReadAsync(r, 64 * 1024), owner, auth.Users);

    /// <summary>The stored form of the owner and ACL of the object the request writes (<see cref="NewObjectAcls"/>).</summary>
    private Task<string?> NewObjectAclAsync(S3Request r) => newObjectAcls.ForAsync(r.Request, r.Bucket, r.User, r.Aborted);
}
