using System.Globalization;
using System.Net.Http.Headers;
using S3Overlay.Storage.Checksums;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.Storage.S3;

/// <summary>
/// What a server answered to a GET or HEAD of an object (<see cref="DirectReads"/>): the headers
/// the seam reads, and the body of a GET.
/// </summary>
internal sealed record ObjectAnswer(
    string ETag,
    DateTime? LastModified,
    long ContentLength,
    string? ContentRange,
    string? Expires,
    int? TagCount,
    bool KeyEncrypted, // with KMS or a customer's key: its ETag is not the MD5 of its bytes
    ContentHeaders Content,
    IEnumerable<KeyValuePair<string, string>> Metadata,
    IReadOnlyDictionary<string, string> Checksums, // by algorithm, as x-amz-checksum-mode asks the server for them
    string? ChecksumType,
    Stream? Body)
{
    /// <summary>The object as the seam describes it (its size is <paramref name="size"/>: a range's answer is shorter).</summary>
    public ObjectInfo Describe(string key, long size)
    {
        var info = PreservedMetadata.Read(key, size, ETag, LastModified, Content, Metadata, Expires, Checksums);
        return Retention is null && !LegalHold ? info : info with { Metadata = info.Metadata with { Retention = Retention, LegalHold = LegalHold } };
    }

    /// <summary>The version's Object Lock, as the server tells it.</summary>
    public ObjectRetention? Retention { get; init; }

    public bool LegalHold { get; init; }

    /// <summary>The version answered, when the server keeps versions of the bucket.</summary>
    public string? VersionId { get; init; }

    private const string UserPrefix = "x-amz-meta-";

    public static ObjectAnswer Of(HttpResponseMessage response, Stream? body)
    {
        var headers = response.Headers.NonValidated;
        var content = response.Content.Headers.NonValidated;
        var metadata = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in headers)
            if (name.StartsWith(UserPrefix, StringComparison.OrdinalIgnoreCase))
                metadata.Add(new(name.ToLowerInvariant(), values.ToString()));
        return new ObjectAnswer(
            ETag: Header(headers, "ETag") ?? "",
            LastModified: Header(content, "Last-Modified") is { } date
                && DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t) ? t.UtcDateTime : null,
            ContentLength: response.Content.Headers.ContentLength ?? 0,
            ContentRange: Header(content, "Content-Range"),
            Expires: Header(content, "Expires"),
            TagCount: int.TryParse(Header(headers, "x-amz-tagging-count"), CultureInfo.InvariantCulture, out var tags) ? tags : null,
            KeyEncrypted: EncryptedWithKey(Header(headers, "x-amz-server-side-encryption"), Header(headers, "x-amz-server-side-encryption-customer-algorithm")),
            Content: new ContentHeaders(Header(content, "Content-Type"), Header(content, "Content-Encoding"), Header(content, "Content-Disposition"),
                Header(content, "Content-Language"), Header(headers, "Cache-Control")),
            Metadata: metadata,
            Checksums: ChecksumsOf(headers),
            ChecksumType: Header(headers, "x-amz-checksum-type"),
            Body: body)
        {
            VersionId = Header(headers, "x-amz-version-id"),
            Retention = Header(headers, "x-amz-object-lock-mode") is { } mode && ObjectRetention.ParseDate(Header(headers, "x-amz-object-lock-retain-until-date")) is { } until
                ? new ObjectRetention(mode, until) : null,
            LegalHold = Header(headers, "x-amz-object-lock-legal-hold") == "ON",
        };
    }

    private static IReadOnlyDictionary<string, string> ChecksumsOf(HttpHeadersNonValidated headers)
    {
        Dictionary<string, string>? checksums = null;
        foreach (var algorithm in ChecksumAlgorithm.All)
            if (Header(headers, algorithm.HeaderName) is { Length: > 0 } value)
                (checksums ??= new(StringComparer.Ordinal))[algorithm.Name] = value;
        return checksums ?? ObjectMetadata.EmptyMap;
    }

    private static bool EncryptedWithKey(string? method, string? customerMethod) =>
        method?.StartsWith("aws:kms", StringComparison.Ordinal) == true || !string.IsNullOrEmpty(customerMethod);

    private static string? Header(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.ToString() : null;
}

/// <summary>The content headers an object keeps.</summary>
internal readonly record struct ContentHeaders(string? ContentType, string? ContentEncoding, string? ContentDisposition, string? ContentLanguage, string? CacheControl);
