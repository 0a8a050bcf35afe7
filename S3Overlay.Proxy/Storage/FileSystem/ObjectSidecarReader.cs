using System.Text.Json;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Reads an <see cref="ObjectSidecar"/> as <see cref="StoreJson"/> writes it, by hand: a listing
/// page decodes a thousand of them (the index's rows), and System.Text.Json's path for records of
/// <c>init</c> and <c>required</c> properties (its parameterized-constructor converter) took half
/// of such a page's time in the server (28 Nov 2026, perf at 100,000 keys). Scalars, strings and
/// string maps are read here; the rare nested records (parts, retention, what a commit keeps of the
/// previous body) by their generated contracts. A property this reader does not know, or a value of
/// an unexpected shape, sends the whole document to <see cref="JsonSerializer"/>: a field added to
/// the records and not taught here still reads right (slower), and the tests hold both readers to
/// the same answer (ObjectSidecarReaderTests).
/// </summary>
internal static class ObjectSidecarReader
{
    /// <exception cref="JsonException">The document is not a sidecar (as the generated reader throws).</exception>
    public static ObjectSidecar Read(ReadOnlySpan<byte> json) =>
        TryReadFast(json) ?? JsonSerializer.Deserialize(json, StoreJson.Default.ObjectSidecar) ?? throw new JsonException("A null sidecar.");

    /// <returns>The sidecar, or null when the document is not of the shape this reader knows (the generated reader then decides).</returns>
    internal static ObjectSidecar? TryReadFast(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return TryReadSidecar(ref reader) is { } sidecar && !reader.Read() ? sidecar : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static ObjectSidecar? TryReadSidecar(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? key = null, etag = null, versionId = null;
        long? size = null, fileTicks = null;
        ulong? inode = null;
        DateTimeOffset? lastModified = null;
        var metadata = ObjectMetadata.Empty;
        ObjectSidecar? previous = null;
        Unflushed? unflushed = null;
        bool deleteMarker = false;
        long sequence = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader;
            reader.Read();
            if (name.ValueTextEquals("key"u8)) key = reader.GetString();
            else if (name.ValueTextEquals("size"u8)) size = reader.GetInt64();
            else if (name.ValueTextEquals("fileTicks"u8)) fileTicks = reader.GetInt64();
            else if (name.ValueTextEquals("fileInode"u8)) inode = reader.TokenType == JsonTokenType.Null ? null : reader.GetUInt64();
            else if (name.ValueTextEquals("eTag"u8)) etag = reader.GetString();
            else if (name.ValueTextEquals("lastModified"u8)) lastModified = reader.GetDateTimeOffset();
            else if (name.ValueTextEquals("metadata"u8)) metadata = TryReadMetadata(ref reader) ?? throw new JsonException();
            else if (name.ValueTextEquals("versionId"u8)) versionId = reader.GetString();
            else if (name.ValueTextEquals("deleteMarker"u8)) deleteMarker = reader.GetBoolean();
            else if (name.ValueTextEquals("sequence"u8)) sequence = reader.GetInt64();
            else if (name.ValueTextEquals("previous"u8)) previous = JsonSerializer.Deserialize(ref reader, StoreJson.Default.ObjectSidecar);
            else if (name.ValueTextEquals("unflushed"u8)) unflushed = JsonSerializer.Deserialize(ref reader, StoreJson.Default.Unflushed);
            else return null;
        }
        if (reader.TokenType != JsonTokenType.EndObject || key is null || etag is null || size is null || fileTicks is null || lastModified is null) return null;
        return new ObjectSidecar
        {
            Key = key,
            Size = size.Value,
            FileTicks = fileTicks.Value,
            FileInode = inode,
            ETag = etag,
            LastModified = lastModified.Value,
            Metadata = metadata,
            Previous = previous,
            Unflushed = unflushed,
            VersionId = versionId,
            DeleteMarker = deleteMarker,
            Sequence = sequence,
        };
    }

    private static ObjectMetadata? TryReadMetadata(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        string? contentType = null, contentEncoding = null, contentDisposition = null, contentLanguage = null, cacheControl = null,
            expires = null, checksumAlgorithm = null, checksumType = null, acl = null, storageClass = null;
        IReadOnlyDictionary<string, string> userMetadata = ObjectMetadata.EmptyMap, checksums = ObjectMetadata.EmptyMap, tags = ObjectMetadata.EmptyMap;
        IReadOnlyList<ObjectPart>? parts = null;
        ObjectRetention? retention = null;
        bool legalHold = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader;
            reader.Read();
            if (name.ValueTextEquals("contentType"u8)) contentType = reader.GetString();
            else if (name.ValueTextEquals("userMetadata"u8)) userMetadata = TryReadMap(ref reader) ?? throw new JsonException();
            else if (name.ValueTextEquals("checksums"u8)) checksums = TryReadMap(ref reader) ?? throw new JsonException();
            else if (name.ValueTextEquals("tags"u8)) tags = TryReadMap(ref reader) ?? throw new JsonException();
            else if (name.ValueTextEquals("contentEncoding"u8)) contentEncoding = reader.GetString();
            else if (name.ValueTextEquals("contentDisposition"u8)) contentDisposition = reader.GetString();
            else if (name.ValueTextEquals("contentLanguage"u8)) contentLanguage = reader.GetString();
            else if (name.ValueTextEquals("cacheControl"u8)) cacheControl = reader.GetString();
            else if (name.ValueTextEquals("expires"u8)) expires = reader.GetString();
            else if (name.ValueTextEquals("checksumAlgorithm"u8)) checksumAlgorithm = reader.GetString();
            else if (name.ValueTextEquals("checksumType"u8)) checksumType = reader.GetString();
            else if (name.ValueTextEquals("acl"u8)) acl = reader.GetString();
            else if (name.ValueTextEquals("storageClass"u8)) storageClass = reader.GetString();
            else if (name.ValueTextEquals("legalHold"u8)) legalHold = reader.GetBoolean();
            else if (name.ValueTextEquals("parts"u8)) parts = JsonSerializer.Deserialize(ref reader, StoreJson.Default.IReadOnlyListObjectPart);
            else if (name.ValueTextEquals("retention"u8)) retention = JsonSerializer.Deserialize(ref reader, StoreJson.Default.ObjectRetention);
            else return null;
        }
        if (reader.TokenType != JsonTokenType.EndObject) return null;
        return new ObjectMetadata
        {
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            ContentDisposition = contentDisposition,
            ContentLanguage = contentLanguage,
            CacheControl = cacheControl,
            Expires = expires,
            UserMetadata = userMetadata,
            Checksums = checksums,
            Tags = tags,
            ChecksumAlgorithm = checksumAlgorithm,
            ChecksumType = checksumType,
            Parts = parts,
            Acl = acl,
            StorageClass = storageClass,
            Retention = retention,
            LegalHold = legalHold,
        };
    }

    /// <summary>A string-to-string map; an empty one is the shared empty map (nothing writes into a read map).</summary>
    private static IReadOnlyDictionary<string, string>? TryReadMap(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        Dictionary<string, string>? map = null; // as the generated reader makes it: default comparer
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) return null;
            (map ??= new Dictionary<string, string>())[name] = reader.GetString()!;
        }
        return reader.TokenType == JsonTokenType.EndObject ? map ?? ObjectMetadata.EmptyMap : null;
    }
}
