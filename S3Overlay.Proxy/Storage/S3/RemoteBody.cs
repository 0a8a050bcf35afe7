using Amazon.Runtime.Internal.Util;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>The body of a GET as the SDK hands it over, checked and made cheap to read.</summary>
internal static class RemoteBody
{
    /// <summary>
    /// A whole body whose ETag is a plain MD5 is refused before its last byte when its MD5
    /// differs: whoever follows it (a fill's readers, the local write) never sees it complete and
    /// wrong. Whether the SDK checks it itself depends on its version and settings
    /// (<c>ResponseChecksumValidation = WHEN_REQUIRED</c> here), so the check is made here whenever
    /// the ETag allows it. Where the SDK does check, its check is a managed MD5 (measured: about a
    /// fifth of a cold 1 MiB fill's CPU) behind an extra copy per read: it is unwrapped, so there
    /// is one MD5 per body, the platform's, straight on the HTTP stream.
    /// </summary>
    /// <param name="whole">Whether the whole object was asked for (a range carries the whole object's ETag, so cannot be checked).</param>
    public static Stream Of(GetObjectResponse response, bool whole)
    {
        var body = response.ResponseStream;
        if (body is HashStream hashed) body = hashed.GetNonWrapperBaseStream();
        var md5 = whole && EtagIsMd5Of(response) ? PlainETag.Md5Of(response.ETag) : null;
        return md5 is null ? body : new VerifyingStream(body, [PayloadCheck.Md5(md5)], response.ContentLength, ownsSource: true);
    }

    // An object encrypted with KMS or a customer's key has an ETag that is not the MD5 of its bytes.
    private static bool EtagIsMd5Of(GetObjectResponse response) =>
        response.ServerSideEncryptionMethod?.Value?.StartsWith("aws:kms", StringComparison.Ordinal) != true
        && string.IsNullOrEmpty(response.ServerSideEncryptionCustomerMethod?.Value)
        && response.ContentRange is null;
}
