using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using S3Overlay.Storage.Checksums;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Http;

/// <summary>
/// The one place where object headers cross between HTTP and the store: request headers to
/// <see cref="ObjectMetadata"/> and <see cref="ReadConditions"/>, and an <see cref="ObjectInfo"/>
/// back to response headers.
/// </summary>
internal static class ObjectHeaders
{
    public const string UserMetadataPrefix = "x-amz-meta-";

    /// <summary>What S3 answers for an object stored without a Content-Type.</summary>
    public const string DefaultContentType = "binary/octet-stream";

    /// <summary>S3's limit on the user metadata of one object (names and values, in bytes).</summary>
    private const int MaxUserMetadataBytes = 2048;

    /// <summary>The content headers and <c>x-amz-meta-*</c> of a PUT (or a copy with REPLACE).</summary>
    public static ObjectMetadata ReadMetadata(HttpRequest request)
    {
        var headers = request.Headers;
        var user = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var userBytes = 0;
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith(UserMetadataPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == UserMetadataPrefix.Length) continue;
            var key = name[UserMetadataPrefix.Length..].ToLowerInvariant();
            var text = Storable(name, value.ToString());
            user[key] = text;
            userBytes += key.Length + text.Length;
        }
        if (userBytes > MaxUserMetadataBytes)
            throw new S3Exception(S3Error.MetadataTooLarge).With("MaxSizeAllowed", MaxUserMetadataBytes.ToString(CultureInfo.InvariantCulture));

        return new ObjectMetadata
        {
            ContentType = Storable("Content-Type", NullIfEmpty(headers.ContentType)),
            ContentEncoding = Storable("Content-Encoding", StoredContentEncoding(headers.ContentEncoding)),
            ContentDisposition = Storable("Content-Disposition", NullIfEmpty(headers.ContentDisposition)),
            ContentLanguage = Storable("Content-Language", NullIfEmpty(headers.ContentLanguage)),
            CacheControl = Storable("Cache-Control", NullIfEmpty(headers.CacheControl)),
            Expires = Storable("Expires", NullIfEmpty(headers.Expires)),
            UserMetadata = user,
        };
    }

    /// <summary>
    /// The object's headers on a GET or HEAD answer, with the <c>response-*</c> query overrides
    /// applied (S3 lets a presigned URL say how the download is labelled).
    /// </summary>
    public static void WriteObject(HttpResponse response, ObjectInfo info, IQueryCollection? query = null)
    {
        var headers = response.Headers;
        var m = info.Metadata;
        headers.ETag = info.ETag;
        headers.LastModified = HttpDates.Format(info.LastModified);
        headers.AcceptRanges = "bytes";
        headers.ContentType = Override(query, "response-content-type") ?? m.ContentType ?? DefaultContentType;
        Set(headers, "Content-Encoding", Override(query, "response-content-encoding") ?? m.ContentEncoding);
        Set(headers, "Content-Disposition", Override(query, "response-content-disposition") ?? m.ContentDisposition);
        Set(headers, "Content-Language", Override(query, "response-content-language") ?? m.ContentLanguage);
        Set(headers, "Cache-Control", Override(query, "response-cache-control") ?? m.CacheControl);
        Set(headers, "Expires", Override(query, "response-expires") ?? m.Expires);
        Set(headers, Storage.Versions.VersionIds.Header, info.VersionId);
        foreach (var (name, value) in m.UserMetadata) headers[UserMetadataPrefix + name] = value;
        Set(headers, StorageClasses.Header, m.StorageClass);
        ServerSideEncryption.WriteHeaders(response, m.Encryption);
        ObjectLock.ObjectLockHeaders.Write(response, m);
    }

    /// <summary>
    /// The conditional headers of a GET/HEAD (<paramref name="prefix"/> empty) or the copy-source
    /// ones of a copy (<c>x-amz-copy-source-</c>). Dates that do not parse are ignored.
    /// </summary>
    public static ReadConditions ReadConditions(HttpRequest request, string prefix = "")
    {
        var headers = request.Headers;
        var conditions = new ReadConditions(
            NullIfEmpty(headers[prefix + "If-Match"]),
            NullIfEmpty(headers[prefix + "If-None-Match"]),
            HttpDates.Parse(headers[prefix + "If-Modified-Since"]),
            HttpDates.Parse(headers[prefix + "If-Unmodified-Since"]));
        return conditions.IsEmpty ? Storage.ReadConditions.None : conditions;
    }

    /// <summary>The Content-MD5 header when present: 16 bytes in base64, else InvalidDigest (sent empty too, as S3 answers).</summary>
    public static string? ContentMD5(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("Content-MD5", out var sent)) return null;
        var value = sent.ToString();
        ContentMd5.Parse(value);
        return value.Trim();
    }

    /// <summary>
    /// A conditional write (PutObject, CompleteMultipartUpload, CopyObject's target):
    /// <c>If-None-Match: *</c> writes only when the key holds no object, <c>If-Match</c> only over
    /// the object with that ETag, as S3 does. S3 accepts no other If-None-Match than <c>*</c> there.
    /// </summary>
    public static WriteCondition WriteCondition(HttpRequest request)
    {
        var ifMatch = NullIfEmpty(request.Headers.IfMatch);
        var ifNoneMatch = NullIfEmpty(request.Headers.IfNoneMatch);
        if (ifNoneMatch is not null && ifNoneMatch.Trim() != "*")
            throw new S3Exception(S3Error.NotImplemented.WithMessage("If-None-Match on a write accepts only '*'."));
        return ifMatch is null && ifNoneMatch is null ? Storage.WriteCondition.None : new WriteCondition(ifNoneMatch is not null, ifMatch);
    }

    /// <summary>
    /// The length of the object being written: <c>x-amz-decoded-content-length</c> for aws-chunked
    /// bodies (whose Content-Length counts the chunk framing), else Content-Length; null when unknown.
    /// </summary>
    public static long? ContentLength(HttpRequest request)
    {
        var decoded = NullIfEmpty(request.Headers["x-amz-decoded-content-length"]);
        if (decoded is null) return request.ContentLength;
        if (!long.TryParse(decoded, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage("x-amz-decoded-content-length is not a length."));
        return length;
    }

    /// <summary>Content-Encoding without <c>aws-chunked</c>, which describes the transfer, not the object.</summary>
    private static string? StoredContentEncoding(StringValues header)
    {
        var value = NullIfEmpty(header);
        if (value is null || !value.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase)) return value;
        var rest = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase));
        return NullIfEmpty(string.Join(",", rest));
    }

    private static string? Override(IQueryCollection? query, string name) =>
        query is not null && query.TryGetValue(name, out var v) ? Storable(name, v.ToString()) : null;

    /// <summary>
    /// A value that will be sent back as a response header: Kestrel refuses control characters
    /// there, so one accepted here would make every later GET of the object fail (seen: the
    /// bad-input run stored <c>x-amz-meta-a: \u0001</c>, then each read was a 500).
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Storable(string name, string? value)
    {
        if (value is not null && value.Any(c => char.IsControl(c) && c != '\t'))
            throw new S3Exception(S3Error.InvalidArgument.WithMessage($"The value of {name} contains a control character."));
        return value;
    }

    private static void Set(IHeaderDictionary headers, string name, string? value)
    {
        if (value is not null) headers[name] = value;
    }

    public static string? NullIfEmpty(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
