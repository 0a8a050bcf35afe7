using System.Text.Json;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// What the store keeps beside an object's file. It records the size, modification time and (where
/// the platform tells it) inode of the file it describes, so a sidecar left behind by a crash, or by
/// someone editing the folder directly, is recognised as stale instead of trusted. A commit writes
/// the new sidecar before it renames the new body into place, keeping the old description in
/// <see cref="Previous"/>: whichever body a kill leaves in place, the sidecar names it.
/// </summary>
internal sealed record ObjectSidecar
{
    public required string Key { get; init; }
    public required long Size { get; init; }
    /// <summary>The file's modification time in ticks: with size, identifies the file version described.</summary>
    public required long FileTicks { get; init; }
    /// <summary>The file's inode (a rename keeps it): tells the new body from the old even when size and time match.</summary>
    public ulong? FileInode { get; init; }
    public required string ETag { get; init; }
    public required DateTimeOffset LastModified { get; init; }
    public ObjectMetadata Metadata { get; init; } = ObjectMetadata.Empty;
    /// <summary>The description of the body a commit is replacing, until the next commit: the one that holds if the rename never happened.</summary>
    public ObjectSidecar? Previous { get; init; }
    /// <summary>Set when the body was committed without being flushed to disk: it is checked once in a later boot.</summary>
    public Unflushed? Unflushed { get; init; }
    /// <summary>The version's id in a bucket that keeps versions (<c>null</c> for its null version); unset where the bucket never kept any.</summary>
    public string? VersionId { get; init; }
    /// <summary>A delete marker: a version with no body (<see cref="VersionFolder"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool DeleteMarker { get; init; }
    /// <summary>Orders a key's versions: each write of a key that keeps versions has a higher one than the version it replaces.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long Sequence { get; init; }

    /// <summary>An inode is compared only when both sides know it (not on Windows or macOS, nor for a caller without a handle).</summary>
    public bool Describes(long size, DateTime lastWriteUtc, ulong? inode = null) =>
        Size == size && FileTicks == lastWriteUtc.Ticks && (FileInode is null || inode is null || FileInode == inode);

    /// <summary>This description or the previous one, whichever names the file in place (this one first).</summary>
    public ObjectSidecar? Describing(long size, DateTime lastWriteUtc, ulong? inode = null) =>
        Describes(size, lastWriteUtc, inode) ? this with { Previous = null }
        : Previous is { } p && p.Describes(size, lastWriteUtc, inode) ? p with { Previous = null }
        : null;

    public ObjectInfo ToInfo() => new(Key, Size, ETag, LastModified, Metadata) { VersionId = VersionId, MetadataWhole = true };

    public static ObjectSidecar For(string key, FileVersion file, string etag, DateTimeOffset lastModified,
        ObjectMetadata metadata, IReadOnlyDictionary<string, string>? checksums = null) => new()
    {
        Key = key,
        Size = file.Size,
        FileTicks = file.LastWriteUtc.Ticks,
        FileInode = file.Inode,
        ETag = etag,
        LastModified = lastModified,
        Metadata = checksums is { Count: > 0 } ? metadata with { Checksums = checksums } : metadata,
    };

    /// <returns>The sidecar or version record, or null when the file is missing, unreadable or not one (torn or foreign).</returns>
    /// <remarks>Read by <see cref="ObjectSidecarReader"/>: a listing that describes keys from their files reads one a key.</remarks>
    public static ObjectSidecar? TryRead(string path) => TryReadVersioned(path)?.Sidecar;

    /// <summary>As <see cref="TryRead"/>, with the version of the sidecar's own file (each write replaces it whole, by a rename).</summary>
    public static (ObjectSidecar Sidecar, FileVersion File)? TryReadVersioned(string path)
    {
        try
        {
            return JsonFile.TryReadVersioned(path) is var (json, file) ? (ObjectSidecarReader.Read(json), file) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string path, string tempPath, bool flush = true) => JsonFile.Write(path, this, StoreJson.Default.ObjectSidecar, tempPath, flush);
}
