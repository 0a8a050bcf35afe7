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
    public ObjectMetadata Metadata { get; init; } = ObjectMetadata.Empty;

    public bool Describes(long size, DateTime lastWriteUtc) => Size == size && FileTicks == lastWriteUtc.Ticks;

    public ObjectInfo ToInfo() => new(Key, Size, ETag, LastModified, Metadata);

    public static ObjectSidecar For(string key, long size, DateTime lastWriteUtc, string etag, DateTimeOffset lastModified,
        ObjectMetadata metadata, IReadOnlyDictionary<string, string>? checksums = null) => new()
    {
        Key = key,
        Size = size,
        FileTicks = lastWriteUtc.Ticks,
        ETag = etag,
        LastModified = lastModified,
        Metadata = checksums is { Count: > 0 } ? metadata with { Checksums = checksums } : metadata,
    };

    public static ObjectSidecar? TryRead(string path) => JsonFile.TryRead<ObjectSidecar>(path);

    public void Write(string path, string tempPath) => JsonFile.Write(path, this, tempPath);
}
