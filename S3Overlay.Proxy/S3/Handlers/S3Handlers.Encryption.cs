using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage.Encryption;

namespace S3Overlay.S3.Handlers;

/// <summary>
/// A bucket's default encryption: the <c>?encryption</c> sub-resource, kept as a bucket setting and
/// applied by the encryption layer to every write that asks for none of its own.
/// </summary>
internal sealed partial class S3Handlers
{
    private static readonly S3Error NoEncryptionConfiguration =
        new("ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found");

    public async Task GetBucketEncryption(S3Request r)
    {
        var encryption = BucketEncryption.FromText(await store.GetBucketSettingAsync(r.Bucket, BucketEncryption.Setting, r.Aborted))
            ?? throw new S3Exception(NoEncryptionConfiguration, r.Bucket).With("BucketName", r.Bucket);
        await S3XmlResponse.WriteAsync(r.Response, "ServerSideEncryptionConfiguration", async xml =>
        {
            await xml.WriteStartElementAsync(null, "Rule", null);
            await xml.WriteStartElementAsync(null, "ApplyServerSideEncryptionByDefault", null);
            await xml.ElementAsync("SSEAlgorithm", encryption.Kind == EncryptionKind.Kms ? BucketEncryption.Kms : BucketEncryption.Sse);
            await xml.OptionalElementAsync("KMSMasterKeyID", encryption.KmsKeyId);
            await xml.WriteEndElementAsync();
            await xml.ElementAsync("BucketKeyEnabled", "false");
            await xml.WriteEndElementAsync();
        });
    }

    /// <summary>
    /// AES256 (SSE-S3) or aws:kms (SSE-KMS under the master key, the one KMS key: a KMSMasterKeyID
    /// must name it, else the store answers KMS.NotFoundException). DSSE-KMS needs a KMS.
    /// </summary>
    public async Task PutBucketEncryption(S3Request r)
    {
        var document = await S3XmlRequest.ReadAsync(r, 16 * 1024);
        var rules = document.Children("Rule").ToList();
        if (document.Name.LocalName != "ServerSideEncryptionConfiguration" || rules.Count != 1) throw new S3Exception(S3Error.MalformedXML);
        var byDefault = rules[0].Children("ApplyServerSideEncryptionByDefault").FirstOrDefault();
        var algorithm = byDefault?.ChildText("SSEAlgorithm");
        var keyId = byDefault?.ChildText("KMSMasterKeyID") is { Length: > 0 } named ? named : null;
        if (algorithm is "aws:kms:dsse")
            throw new S3Exception(S3Error.NotImplemented.WithMessage("DSSE-KMS needs a KMS; the one key here is S3_OVERLAY_KMS_SECRET_KEY's: use aws:kms or AES256."));
        if (algorithm is not (BucketEncryption.Sse or BucketEncryption.Kms)) throw new S3Exception(S3Error.MalformedXML);
        if (algorithm == BucketEncryption.Sse && keyId is not null)
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"))
                .With("ArgumentName", "ApplyServerSideEncryptionByDefault");
        var encryption = algorithm == BucketEncryption.Kms ? ObjectEncryption.Kms(keyId) : ObjectEncryption.Managed;
        await store.PutBucketSettingAsync(r.Bucket, BucketEncryption.Setting, BucketEncryption.Text(encryption), r.Aborted);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }

    public async Task DeleteBucketEncryption(S3Request r)
    {
        await store.PutBucketSettingAsync(r.Bucket, BucketEncryption.Setting, null, r.Aborted);
        r.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
