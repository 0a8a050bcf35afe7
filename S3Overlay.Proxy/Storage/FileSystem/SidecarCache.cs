using System.Collections.Concurrent;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The descriptions of recently read objects, so a GET of a file version already described does
/// not open, read and parse its sidecar again. An entry is used only for the very file version
/// (inode, size, modification time) it was read for: a write by this process or any other renames
/// a new file into place, which no entry matches. Bounded; in-process only (the sidecars are the state).
/// </summary>
internal sealed class SidecarCache(int capacity = 16_384)
{
    private readonly record struct Entry(FileVersion Version, ObjectInfo Info);

    private readonly ConcurrentDictionary<(string Bucket, string Key), Entry> _entries = new();

    public ObjectInfo? TryGet(string bucket, string key, FileVersion version) =>
        version.Inode is not null && _entries.TryGetValue((bucket, key), out var e) && e.Version == version ? e.Info : null;

    public void Remember(string bucket, string key, FileVersion version, ObjectInfo info)
    {
        if (version.Inode is null) return;
        if (_entries.Count >= capacity) _entries.Clear(); // crude, but a full cache only costs sidecar reads
        _entries[(bucket, key)] = new Entry(version, info);
    }

    public void Forget(string bucket, string key) => _entries.TryRemove((bucket, key), out _);
}
