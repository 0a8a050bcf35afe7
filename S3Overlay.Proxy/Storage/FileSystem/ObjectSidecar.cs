using System.Text.Json;
using System.Text.Json.Serialization;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// What the store keeps beside an object's file. It records the size and modification time of the
/// file it describes, so a sidecar left behind by a crash, or by someone editing the folder
/// directly, is recognised as stale instead of trusted.
/// </summary>
internal sealed record ObjectSidecar
{
    public required string Key { get; init; }
    public required long Size { get; init; }
    /// <summary>The file's modification time in ticks: with size, identifies the file version described.</summary>
    public required long FileTicks { get; init; }
    public required string ETag { get; init; }
    public required DateTimeOffset LastModified { get; init; }
    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }
    public string? Expires { get; init; }
    public Dictionary<string, string>? UserMetadata { get; init; }
    public Dictionary<string, string>? Checksums { get; init; }

    public bool Describes(long size, DateTime lastWriteUtc) => Size == size && FileTicks == lastWriteUtc.Ticks;

    public ObjectMetadata Metadata => new()
    {
        ContentType = ContentType,
        ContentEncoding = ContentEncoding,
        ContentDisposition = ContentDisposition,
        ContentLanguage = ContentLanguage,
        CacheControl = CacheControl,
        Expires = Expires,
        UserMetadata = UserMetadata ?? ObjectMetadata.EmptyMap,
        Checksums = Checksums ?? ObjectMetadata.EmptyMap,
    };

    public ObjectInfo ToInfo() => new(Key, Size, ETag, LastModified, Metadata);

    public static ObjectSidecar For(string key, long size, DateTime lastWriteUtc, string etag, DateTimeOffset lastModified,
        ObjectMetadata metadata, IReadOnlyDictionary<string, string>? checksums = null) => new()
    {
        Key = key,
        Size = size,
        FileTicks = lastWriteUtc.Ticks,
        ETag = etag,
        LastModified = lastModified,
        ContentType = metadata.ContentType,
        ContentEncoding = metadata.ContentEncoding,
        ContentDisposition = metadata.ContentDisposition,
        ContentLanguage = metadata.ContentLanguage,
        CacheControl = metadata.CacheControl,
        Expires = metadata.Expires,
        UserMetadata = metadata.UserMetadata.Count == 0 ? null : new(metadata.UserMetadata),
        Checksums = (checksums ?? metadata.Checksums) is { Count: > 0 } c ? new(c) : null,
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <returns>The sidecar, or null when it is missing or unreadable (a torn or foreign file is not trusted).</returns>
    public static ObjectSidecar? TryRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
            return JsonSerializer.Deserialize<ObjectSidecar>(file, Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes atomically (temp file, then rename), so a reader never sees half a sidecar.</summary>
    public void Write(string path, string tempPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
                JsonSerializer.Serialize(file, this, Json);
            File.Move(tempPath, path, overwrite: true);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }
}
