using System.Globalization;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>What the multipart handlers read from request headers and query.</summary>
internal static class MultipartHeaders
{
    private const string MetaPrefix = "x-amz-meta-";

    /// <summary>Content headers and <c>x-amz-meta-*</c> user metadata, kept with the object the upload becomes.</summary>
    public static ObjectMetadata ReadMetadata(HttpRequest request)
    {
        var h = request.Headers;
        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in h)
            if (name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > MetaPrefix.Length)
                user[name[MetaPrefix.Length..].ToLowerInvariant()] = value.ToString();
        return new ObjectMetadata
        {
            ContentType = Header(h.ContentType),
            ContentEncoding = Header(h.ContentEncoding),
            ContentDisposition = Header(h.ContentDisposition),
            ContentLanguage = Header(h.ContentLanguage),
            CacheControl = Header(h.CacheControl),
            Expires = Header(h.Expires),
            UserMetadata = user,
        };
    }

    /// <summary>
    /// The payload's length after decoding: aws-chunked bodies carry it in
    /// <c>x-amz-decoded-content-length</c>, plain ones in Content-Length.
    /// </summary>
    public static long? PayloadLength(HttpRequest request)
    {
        if (request.Headers["x-amz-decoded-content-length"].ToString() is { Length: > 0 } decoded)
            return long.TryParse(decoded, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new S3Exception(S3Error.InvalidArgument).With("ArgumentName", "x-amz-decoded-content-length");
        return request.ContentLength;
    }

    /// <summary>Content-MD5 when sent; InvalidDigest when it is not the base64 of 16 bytes.</summary>
    public static string? ContentMD5(HttpRequest request)
    {
        var value = request.Headers.ContentMD5.ToString();
        if (value.Length == 0) return null;
        Span<byte> md5 = stackalloc byte[24];
        return Convert.TryFromBase64String(value, md5, out var written) && written == 16
            ? value
            : throw new S3Exception(S3Error.InvalidDigest);
    }

    /// <summary>An integer query parameter; InvalidArgument when it is not one in [min, max].</summary>
    public static int QueryInt(HttpRequest request, string name, int absent, int min, int max)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0) return absent;
        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new S3Exception(S3Error.InvalidArgument.WithMessage($"Provided {name} not an integer or within integer range"))
                .With("ArgumentName", name).With("ArgumentValue", raw);
    }

    private static string? Header(Microsoft.Extensions.Primitives.StringValues v) => v.Count == 0 ? null : v.ToString();
}
