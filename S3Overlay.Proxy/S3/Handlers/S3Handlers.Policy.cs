using System.Text;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Policies;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// The bucket's policy (<c>?policy</c>, <c>?policyStatus</c>): checked as S3 checks one, kept as a
/// bucket setting with the bucket's other metadata, applied by <see cref="RequestAuthorizer"/>.
/// </summary>
internal sealed partial class S3Handlers
{
    public async Task GetBucketPolicy(S3Request r)
    {
        var policy = await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Policy, r.Aborted) ?? throw NoSuchBucketPolicy(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentType = "application/json";
        await r.Response.WriteAsync(policy, r.Aborted);
    }

    public async Task PutBucketPolicy(S3Request r)
    {
        // Twice S3's limit may be read (whitespace it would not count), then the document is held to the limit.
        using var body = await S3XmlRequest.ReadSmallBodyAsync(r, 2 * PolicyDocument.MaxBytes,
            () => PolicyFault.Malformed(PolicyFault.TooLarge));
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.GetBuffer(), 0, (int)body.Length);
        }
        catch (DecoderFallbackException)
        {
            throw PolicyFault.InvalidJson();
        }
        // BlockPublicPolicy refuses a policy that lets everyone in, as S3 does.
        if (PolicyDocument.ForBucket(text, r.Bucket).IsPublic && (await publicAccessBlocks.GetAsync(r.Bucket, r.Aborted)).BlockPublicPolicy)
            throw new S3Exception(S3Error.AccessDenied);
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Policy, text, r.Aborted);
        bucketPolicies.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task DeleteBucketPolicy(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Policy, null, r.Aborted);
        bucketPolicies.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Whether the policy lets everyone in; NoSuchBucketPolicy without one, as S3 answers.</summary>
    public async Task GetBucketPolicyStatus(S3Request r)
    {
        var text = await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Policy, r.Aborted) ?? throw NoSuchBucketPolicy(r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, "PolicyStatus", xml => xml.ElementAsync("IsPublic", PolicyDocument.ForBucket(text, r.Bucket).IsPublic));
    }

    private static S3Exception NoSuchBucketPolicy(string bucket) => new S3Exception(S3Error.NoSuchBucketPolicy, bucket).With("BucketName", bucket);
}
