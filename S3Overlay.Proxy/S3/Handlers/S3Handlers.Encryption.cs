using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// A bucket's default encryption: the <c>?encryption</c> sub-resource, kept as a bucket setting and
/// applied by the encryption layer to every write that asks for none of its own.
/// </summary>
public sealed partial class S3Handlers
{
    private static readonly S3Error NoEncryptionConfiguration =
        new("ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found");

    public async Task GetBucketEncryption(S3Request r)
    {
        var algorithm = await store.GetBucketSettingAsync(r.Bucket, BucketEncryption.Setting, r.Aborted)
            ?? throw new S3Exception(NoEncryptionConfiguration, r.Bucket).With("BucketName", r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, "ServerSideEncryptionConfiguration", async xml =>
        {
            await xml.WriteStartElementAsync(null, "Rule", null);
            await xml.WriteStartElementAsync(null, "ApplyServerSideEncryptionByDefault", null);
            await xml.ElementAsync("SSEAlgorithm", algorithm);
            await xml.WriteEndElementAsync();
            await xml.ElementAsync("BucketKeyEnabled", "false");
            await xml.WriteEndElementAsync();
        });
    }

    /// <summary>AES256 (SSE-S3) is kept; aws:kms as a default is not offered (a write may ask for it).</summary>
    public async Task PutBucketEncryption(S3Request r)
    {
        var document = await S3XmlRequest.ReadAsync(r, 16 * 1024);
        var rules = document.Children("Rule").ToList();
        if (document.Name.LocalName != "ServerSideEncryptionConfiguration" || rules.Count != 1) throw new S3Exception(S3Error.MalformedXML);
        var algorithm = rules[0].Children("ApplyServerSideEncryptionByDefault").FirstOrDefault()?.ChildText("SSEAlgorithm");
        if (algorithm is "aws:kms" or "aws:kms:dsse")
            throw new S3Exception(S3Error.NotImplemented.WithMessage("A bucket's default encryption is AES256 (SSE-S3) here; a write may still ask for aws:kms with S3_OVERLAY_KMS_SECRET_KEY's key."));
        if (algorithm != "AES256") throw new S3Exception(S3Error.MalformedXML);
        await store.PutBucketSettingAsync(r.Bucket, BucketEncryption.Setting, algorithm, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketEncryption(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketEncryption.Setting, null, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
