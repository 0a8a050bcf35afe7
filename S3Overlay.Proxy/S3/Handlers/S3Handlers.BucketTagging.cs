using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Tagging;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>Bucket tagging: the <c>?tagging</c> sub-resource of a bucket, kept as a bucket setting.</summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketTagging(S3Request r)
    {
        var text = await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Tagging, r.Aborted)
            ?? throw new S3Exception(S3Error.NoSuchTagSet, r.Bucket).With("BucketName", r.Bucket);
        var tags = TagSet.FromText(text);
        await S3XmlResponse.WriteAsync(r.Response, "Tagging", xml => TagSet.WriteXmlAsync(xml, tags));
    }

    /// <summary>
    /// Replaces the bucket's tags; an empty set leaves it with none, so GET answers NoSuchTagSet, as
    /// on S3. The answer is 200, which S3's reference gives as the response syntax and MinIO sends:
    /// S3 itself sends 204, which the MinIO JavaScript client's setBucketTagging takes for an error
    /// (and then leaves its connection unread); every AWS SDK and the aws CLI take either.
    /// </summary>
    public async Task PutBucketTagging(S3Request r)
    {
        RequiredChecksum.Demand(r.Request);
        var tags = TagSet.FromXml(await S3XmlRequest.ReadAsync(r, MaxBucketTaggingBytes), TagRules.Bucket);
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Tagging, tags.Count == 0 ? null : TagSet.ToText(tags), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketTagging(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Tagging, null, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Fifty tags of at most 128 + 256 UTF-16 units (three UTF-8 bytes each at most), escaped, fit with room to spare.</summary>
    private const int MaxBucketTaggingBytes = 256 * 1024;
}
