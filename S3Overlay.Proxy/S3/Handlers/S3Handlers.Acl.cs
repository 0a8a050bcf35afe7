using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Bucket and object ACLs: kept through the store (a bucket setting; the object's metadata),
/// answered as S3 does, and enforced for anonymous callers by <see cref="AnonymousAccess"/>.
/// </summary>
public sealed partial class S3Handlers
{
    public async Task GetBucketAcl(S3Request r) =>
        await AccessControlList.Parse(await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Acl, r.Aborted)).WriteXmlAsync(r.Response);

    public async Task PutBucketAcl(S3Request r)
    {
        var acl = await RequestedAclAsync(r);
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Acl, acl.ToText(), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>GET ?acl on an object: the object must exist (NoSuchKey otherwise).</summary>
    public async Task GetObjectAcl(S3Request r)
    {
        var info = await HeadAsync(r, ReadConditions.None);
        WriteVersionId(r, VersionIdOf(r));
        await AccessControlList.Parse(info.Metadata.Acl).WriteXmlAsync(r.Response);
    }

    public async Task PutObjectAcl(S3Request r)
    {
        var acl = await RequestedAclAsync(r);
        if (VersionIdOf(r) is not { } versionId) await store.PutObjectAclAsync(r.Bucket, r.Key, acl.ToText(), r.Aborted);
        else await store.PutObjectVersionAclAsync(r.Bucket, r.Key, versionId, acl.ToText(), r.Aborted);
        WriteVersionId(r, VersionIdOf(r));
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    /// <summary>The ACL a Put*Acl sets: from its headers (canned or grants), else from its AccessControlPolicy body.</summary>
    private static async Task<AccessControlList> RequestedAclAsync(S3Request r) =>
        AccessControlList.FromHeaders(r.Request) ?? AccessControlList.FromXml(await S3XmlRequest.ReadAsync(r, 64 * 1024));

    /// <summary>The stored form of the ACL a creating request asks for; null (private) when it asks for none.</summary>
    private static string? NewAcl(S3Request r) => AccessControlList.FromHeaders(r.Request)?.ToText();
}
