using System.Text;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;
using S3Overlay.S3.Payloads;
using S3Overlay.Streams;
using S3Overlay.S3.Tagging;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;
using S3Overlay.Storage.Checksums;

namespace S3Overlay.S3.PostObject;

/// <summary>
/// POST Object, the browser-based upload: a multipart/form-data body whose fields say what to
/// store and carry their own authentication (a policy signed with SigV4 or SigV2, or none when
/// the bucket's ACL lets anyone write). The file streams into the store.
/// </summary>
internal sealed class PostObjectUpload(IObjectStore store, SigV4Verifier v4, SigV2Verifier v2, AuthSettings users, Policies.RequestAuthorizer authorizer, TimeProvider clock,
    NewObjectAcls newObjectAcls)
{
    public const string Operation = "PostObject";

    /// <summary>S3's largest object by POST, as by PUT.</summary>
    public const long MaxObjectBytes = 5L * 1024 * 1024 * 1024;

    private const int MaxTaggingBytes = 64 * 1024;

    public async Task HandleAsync(S3Request r)
    {
        var form = await PostForm.ReadAsync(r.Request, r.Aborted);
        var policyText = form.Field("policy");
        var policy = policyText is null ? null : PostPolicy.Parse(policyText);
        var identity = Authenticate(form, policyText);
        r.AccessKey = identity?.AccessKey;
        r.User = RequestAuthenticator.UserOf(identity, users);
        var key = Key(form);
        // The form carries its signer's rights (or, unsigned, the anonymous caller's) for the key it names.
        if (!await authorizer.AllowsAsync(r, Policies.S3Actions.PutObject, r.Bucket, key, AclNeed.BucketWrite)) throw new S3Exception(S3Error.AccessDenied);
        // The conditions on $key see the key with ${filename} replaced, as S3 checks them.
        policy?.Check(new Dictionary<string, string>(form.Fields, StringComparer.OrdinalIgnoreCase) { ["key"] = key }, r.Bucket, clock.GetUtcNow());

        var headers = PostFormHeaders.From(form.Fields);
        var metadata = ObjectHeaders.ReadMetadata(headers) with
        {
            Tags = Tags(form.Field("tagging")),
            Acl = await newObjectAcls.ForAsync(headers, r.Bucket, r.User, r.Aborted),
            // A bucket's default retention binds browser uploads too (the form's own lock fields are not read).
            Retention = (await store.GetObjectLockConfigurationAsync(r.Bucket, r.Aborted))?.Rule?.From(clock.GetUtcNow()),
        };
        var checks = ChecksumHeaders.Sent(headers).Select(sent => PayloadCheck.For(sent.Algorithm, sent.Value)).ToArray();
        Stream body = new LengthRangeStream(form.File, policy?.MinLength ?? 0, Math.Min(policy?.MaxLength ?? MaxObjectBytes, MaxObjectBytes));
        if (checks.Length > 0)
        {
            body = new VerifyingStream(body, checks);
            r.Response.RegisterForDispose(body);
        }
        var write = new ObjectWrite
        {
            Metadata = metadata,
            ContentMD5 = ObjectHeaders.ContentMD5(headers),
            TrailingChecksums = checks.Length == 0 ? null : () => checks.ToDictionary(c => c.Algorithm!.Name, c => c.Verified!),
            // The form's x-amz-server-side-encryption* fields, as PutObject's headers (SSE-S3, SSE-KMS, SSE-C).
            Encryption = ServerSideEncryption.ForWrite(headers),
        };
        var info = await store.PutObjectAsync(r.Bucket, key, body, write, r.Aborted);
        await PostAnswer.WriteAsync(r, form, key, info);
    }

    /// <summary>Who signed the form; null for an anonymous upload (which a bucket policy or ACL must allow).</summary>
    private SignedIdentity? Authenticate(PostForm form, string? policy)
    {
        if (form.Field("x-amz-signature") is not null || form.Field("x-amz-credential") is not null || form.Field("x-amz-algorithm") is not null)
            return v4.VerifyPostPolicy(Required(policy, "policy"), form.Field("x-amz-algorithm"), form.Field("x-amz-credential"),
                form.Field("x-amz-date"), form.Field("x-amz-signature"));
        if (form.Field("AWSAccessKeyId") is { } accessKey)
            return v2.VerifyPostPolicy(Required(policy, "policy"), accessKey, Required(form.Field("signature"), "signature"));
        if (form.Field("signature") is not null) Required(null, "AWSAccessKeyId");
        return null;
    }

    /// <summary>The <c>key</c> field, with <c>${filename}</c> standing for the uploaded file's name.</summary>
    private static string Key(PostForm form)
    {
        var key = Required(form.Field("key"), "key").Replace("${filename}", form.FileName, StringComparison.Ordinal);
        if (key.Length == 0) throw new S3Exception(S3Error.InvalidArgument.WithMessage("User key must have a length greater than 0.")).With("ArgumentName", "key");
        if (Encoding.UTF8.GetByteCount(key) > Handlers.S3Handlers.MaxKeyBytes) throw new S3Exception(S3Error.KeyTooLongError, key);
        return key;
    }

    /// <summary>The <c>tagging</c> field: a <c>Tagging</c> document, as PutObjectTagging takes.</summary>
    private static IReadOnlyDictionary<string, string> Tags(string? tagging)
    {
        if (tagging is null) return ObjectMetadata.EmptyMap;
        using var xml = new MemoryStream(Encoding.UTF8.GetBytes(tagging));
        return TagSet.FromXml(S3XmlRequest.Parse(xml, MaxTaggingBytes), TagRules.Object);
    }

    private static string Required(string? value, string field) =>
        value ?? throw new S3Exception(S3Error.InvalidArgument.WithMessage(
            $"Bucket POST must contain a field named '{field}'.  If it is specified, please check the order of the fields.")).With("ArgumentName", field);
}
