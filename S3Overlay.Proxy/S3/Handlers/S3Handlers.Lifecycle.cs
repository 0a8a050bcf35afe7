using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Lifecycle;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// Bucket lifecycle: the <c>?lifecycle</c> sub-resource, kept as a bucket setting (in the local
/// store, never the remote) and applied by the lifecycle scanner.
/// </summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketLifecycleConfiguration(S3Request r)
    {
        var configuration = LifecycleXml.FromText(await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Lifecycle, r.Aborted))
            ?? throw new S3Exception(S3Error.NoSuchLifecycleConfiguration, r.Bucket).With("BucketName", r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, LifecycleXml.Root, async xml =>
        {
            foreach (var rule in LifecycleXml.ToXml(configuration).Elements()) await rule.WriteToAsync(xml, r.Aborted);
        });
    }

    /// <summary>Replaces the whole configuration; like PutBucketTagging it needs a Content-MD5 or a checksum.</summary>
    public async Task PutBucketLifecycleConfiguration(S3Request r)
    {
        RequiredChecksum.Demand(r.Request);
        var configuration = LifecycleXml.FromXml(await S3XmlRequest.ReadAsync(r, MaxLifecycleBytes));
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Lifecycle, LifecycleXml.ToText(configuration), r.Aborted);
        lifecycles.Set(r.Bucket, configuration);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketLifecycle(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Lifecycle, null, r.Aborted);
        lifecycles.Set(r.Bucket, null);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>A thousand rules of a few hundred bytes each, as S3 allows, with room to spare.</summary>
    private const int MaxLifecycleBytes = 2 * 1024 * 1024;
}
