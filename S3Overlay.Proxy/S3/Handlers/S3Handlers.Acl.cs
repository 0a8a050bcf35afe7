using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

public sealed partial class S3Handlers
{
    /// <summary>
    /// GET ?acl on a bucket. There are no ACLs here: the one owner has FULL_CONTROL of everything,
    /// which is what clients that ask (s3cmd info, x2s3-style viewers) need to hear.
    /// </summary>
    public async Task GetBucketAcl(S3Request r)
    {
        await RequireBucket(r);
        await WriteOwnerAcl(r);
    }

    /// <summary>GET ?acl on an object: the object must exist (NoSuchKey otherwise); the owner has FULL_CONTROL.</summary>
    public async Task GetObjectAcl(S3Request r)
    {
        await store.HeadObjectAsync(r.Bucket, r.Key, ReadConditions.None, r.Aborted);
        await WriteOwnerAcl(r);
    }

    private static Task WriteOwnerAcl(S3Request r) =>
        S3XmlResponse.WriteAsync(r.Response, "AccessControlPolicy", async xml =>
        {
            await xml.OwnerAsync();
            await xml.WriteStartElementAsync(null, "AccessControlList", null);
            await xml.WriteStartElementAsync(null, "Grant", null);
            await xml.WriteStartElementAsync(null, "Grantee", null);
            await xml.WriteAttributeStringAsync("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
            await xml.WriteAttributeStringAsync("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser");
            await xml.ElementAsync("ID", S3Owner.Id);
            await xml.ElementAsync("DisplayName", S3Owner.DisplayName);
            await xml.WriteEndElementAsync();
            await xml.ElementAsync("Permission", "FULL_CONTROL");
            await xml.WriteEndElementAsync();
            await xml.WriteEndElementAsync();
        });
}
