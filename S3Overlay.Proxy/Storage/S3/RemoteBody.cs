using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>The body of a GET, checked and made cheap to read.</summary>
internal static class RemoteBody
{
    /// <summary>
    /// A whole body whose ETag is a plain MD5 is refused before its last byte when its MD5
    /// differs: whoever follows it (a fill's readers, the local write) never sees it complete and
    /// wrong. One MD5 per body, the platform's, straight on the HTTP stream.
    /// </summary>
    /// <param name="whole">Whether the whole object was asked for (a range carries the whole object's ETag, so cannot be checked).</param>
    public static Stream Of(ObjectAnswer answer, bool whole)
    {
        var body = answer.Body ?? throw new InvalidOperationException("A HEAD has no body.");
        var md5 = whole && EtagIsMd5Of(answer) ? PlainETag.Md5Of(answer.ETag) : null;
        return md5 is null ? body : new VerifyingStream(body, [PayloadCheck.Md5(md5)], answer.ContentLength, ownsSource: true);
    }

    // An object encrypted with KMS or a customer's key has an ETag that is not the MD5 of its bytes.
    private static bool EtagIsMd5Of(ObjectAnswer answer) => !answer.KeyEncrypted && answer.ContentRange is null;
}
