using System.Globalization;
using Amazon.S3.Model;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Maps the seam's metadata to S3 headers and back. What an S3 server cannot be told to keep
/// (a preserved ETag or Last-Modified, checksums, an Expires that is not a date) travels as
/// reserved user metadata, <c>x-amz-meta-s3overlay-*</c>, which readers never see.
/// </summary>
internal static class PreservedMetadata
{
    public const string ReservedPrefix = "s3overlay-";
    private const string ETagKey = ReservedPrefix + "etag";
    private const string LastModifiedKey = ReservedPrefix + "mtime";
    private const string ExpiresKey = ReservedPrefix + "expires";
    private const string AclKey = ReservedPrefix + "acl";
    private const string StorageClassKey = ReservedPrefix + "storage-class";
    private const string ChecksumPrefix = ReservedPrefix + "checksum-";
    private const string UserPrefix = "x-amz-meta-";

    /// <summary>S3's type for an object written without one.</summary>
    public const string DefaultContentType = "binary/octet-stream";

    /// <summary>Writes the content headers and user metadata of <paramref name="write"/>, with the values to preserve.</summary>
    public static void Apply(ObjectWrite write, HeadersCollection headers, MetadataCollection metadata, IReadOnlyDictionary<string, string>? trailingChecksums = null)
    {
        var m = write.Metadata;
        headers.ContentType = m.ContentType ?? DefaultContentType;
        if (m.ContentEncoding is not null) headers.ContentEncoding = m.ContentEncoding;
        if (m.ContentDisposition is not null) headers.ContentDisposition = m.ContentDisposition;
        if (m.ContentLanguage is not null) headers.ContentLanguage = m.ContentLanguage;
        if (m.CacheControl is not null) headers.CacheControl = m.CacheControl;
        // HttpClient silently drops an Expires that is not an HTTP date (after the SDK signed it).
        if (m.Expires is not null)
        {
            if (IsHttpDate(m.Expires)) headers["Expires"] = m.Expires;
            else metadata.Add(ExpiresKey, m.Expires);
        }
        foreach (var (name, value) in m.UserMetadata)
            if (!name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
                metadata.Add(name, value);
        if (m.Acl is not null) metadata.Add(AclKey, m.Acl);
        if (m.StorageClass is not null) metadata.Add(StorageClassKey, m.StorageClass);
        if (write.ETag is not null) metadata.Add(ETagKey, write.ETag);
        if (write.LastModified is { } t) metadata.Add(LastModifiedKey, t.ToString("O", CultureInfo.InvariantCulture));
        foreach (var (algorithm, value) in Merge(m.Checksums, trailingChecksums ?? ObjectMetadata.EmptyMap))
            metadata.Add(ChecksumPrefix + algorithm, value);
    }

    /// <summary>The checksums sent in headers, with those of the trailer (which win).</summary>
    public static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string> trailer)
    {
        if (trailer.Count == 0) return headers;
        var all = new Dictionary<string, string>(headers, StringComparer.Ordinal);
        foreach (var (algorithm, value) in trailer) all[algorithm] = value;
        return all;
    }

    /// <summary>The object as the seam describes it, preserved values winning over the server's.</summary>
    /// <param name="serverChecksums">The checksums the server itself answered with (x-amz-checksum-mode).</param>
    public static ObjectInfo Read(string key, long size, string serverETag, DateTime? serverLastModified,
        ContentHeaders headers, IEnumerable<KeyValuePair<string, string>> metadata, string? expires,
        IReadOnlyDictionary<string, string> serverChecksums)
    {
        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        var checksums = new Dictionary<string, string>(serverChecksums, StringComparer.Ordinal);
        string? etag = null, expiresKept = null, acl = null, storageClass = null;
        DateTimeOffset? lastModified = null;
        foreach (var (rawName, value) in metadata)
        {
            var name = (rawName.StartsWith(UserPrefix, StringComparison.OrdinalIgnoreCase) ? rawName[UserPrefix.Length..] : rawName).ToLowerInvariant();
            if (!name.StartsWith(ReservedPrefix, StringComparison.Ordinal)) user[name] = value;
            else if (name == ETagKey) etag = value;
            else if (name == ExpiresKey) expiresKept = value;
            else if (name == AclKey) acl = value;
            else if (name == StorageClassKey) storageClass = value;
            else if (name == LastModifiedKey && DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) lastModified = t;
            else if (name.StartsWith(ChecksumPrefix, StringComparison.Ordinal)) checksums[name[ChecksumPrefix.Length..]] = value;
        }
        var info = new ObjectMetadata
        {
            ContentType = headers.ContentType,
            ContentEncoding = headers.ContentEncoding,
            ContentDisposition = headers.ContentDisposition,
            ContentLanguage = headers.ContentLanguage,
            CacheControl = headers.CacheControl,
            Expires = expiresKept ?? (string.IsNullOrEmpty(expires) ? null : expires),
            UserMetadata = user,
            Checksums = checksums,
            Acl = acl,
            StorageClass = storageClass,
        };
        return new ObjectInfo(key, size, etag ?? serverETag, lastModified ?? ToOffset(serverLastModified), info) { MetadataWhole = true };
    }

    public static DateTimeOffset ToOffset(DateTime? time) => time switch
    {
        null => DateTimeOffset.UnixEpoch,
        { Kind: DateTimeKind.Unspecified } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        { } t => new DateTimeOffset(t.ToUniversalTime()),
    };

    private static bool IsHttpDate(string value) =>
        DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _);
}
