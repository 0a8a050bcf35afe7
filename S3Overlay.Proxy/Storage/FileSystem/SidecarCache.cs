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

    // The entries added since the last clear, near enough for a bound: ConcurrentDictionary.Count
    // takes every lock of the table, and asked at each add it was 4.6 % of the CPU of a versions
    // listing that described a key at a time.
    private int _count;

    public ObjectInfo? TryGet(string bucket, string key, FileVersion version) =>
        version.Inode is not null && _entries.TryGetValue((bucket, key), out var e) && e.Version == version ? e.Info : null;

    public void Remember(string bucket, string key, FileVersion version, ObjectInfo info)
    {
        if (version.Inode is null) return;
        if (Volatile.Read(ref _count) >= capacity)
        {
            _entries.Clear(); // crude, but a full cache only costs sidecar reads
            Volatile.Write(ref _count, 0);
        }
        var entry = new Entry(version, info);
        if (_entries.TryAdd((bucket, key), entry)) Interlocked.Increment(ref _count);
        else _entries[(bucket, key)] = entry;
    }

    public void Forget(string bucket, string key)
    {
        if (_entries.TryRemove((bucket, key), out _)) Interlocked.Decrement(ref _count);
    }
}
