using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Cors;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>Bucket CORS: the <c>?cors</c> sub-resource, kept as a bucket setting and applied by <see cref="BucketCors"/>.</summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketCors(S3Request r)
    {
        var rules = CorsRule.FromText(await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Cors, r.Aborted))
            ?? throw new S3Exception(S3Error.NoSuchCORSConfiguration, r.Bucket).With("BucketName", r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, "CORSConfiguration", xml => CorsRule.WriteXmlAsync(xml, rules));
    }

    public async Task PutBucketCors(S3Request r)
    {
        var rules = CorsRule.FromXml(await S3XmlRequest.ReadAsync(r, 64 * 1024));
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Cors, CorsRule.ToText(rules), r.Aborted);
        corsRules.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketCors(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Cors, null, r.Aborted);
        corsRules.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
