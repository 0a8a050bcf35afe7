using System.Collections.Concurrent;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The buckets' folders, kept open: a key is resolved from its bucket's handle
/// (<see cref="ConfinedFolder"/>), so a local hit stays one open and one statx. A bucket folder
/// may itself be a link (<c>s3overlay serve FOLDER</c> makes one): the operator's, so it is
/// followed. A hit in a folder held open is the bucket's; a miss, or a write, first checks that
/// the folder at the bucket's path is still the one held (one statx), since it may have been
/// removed or replaced by hand.
/// </summary>
internal sealed class BucketFolders(StoreLayout layout, bool followLinksOutForReads)
{
    private readonly ConcurrentDictionary<string, (ConfinedFolder Folder, (ulong, ulong)? Identity)> _open = new(StringComparer.Ordinal);

    /// <summary>The bucket's folder as last opened (opened now if it was not); null when there is no bucket.</summary>
    public ConfinedFolder? Find(string bucket) => _open.TryGetValue(bucket, out var held) ? held.Folder : Reopen(bucket);

    /// <summary>The folder at the bucket's path now (the one held, unless it was replaced); null when there is none.</summary>
    public ConfinedFolder? Current(string bucket)
    {
        var path = layout.BucketDir(bucket);
        if (FileVersion.IdentityOf(path) is not { } now)
        {
            if (Directory.Exists(path)) return Find(bucket); // a system that tells no identities
            _open.TryRemove(bucket, out _);
            return null;
        }
        return _open.TryGetValue(bucket, out var held) && held.Identity == now ? held.Folder : Reopen(bucket);
    }

    /// <summary>
    /// Drops the bucket's folder (deleted or created). Its handle is not closed here: a request
    /// may still be using it; it is closed when nothing refers to it.
    /// </summary>
    public void Forget(string bucket) => _open.TryRemove(bucket, out _);

    private ConfinedFolder? Reopen(string bucket)
    {
        if (ConfinedFolder.Open(layout.BucketDir(bucket), followLinksOutForReads) is not { } folder)
        {
            _open.TryRemove(bucket, out _);
            return null;
        }
        _open[bucket] = (folder, FileVersion.IdentityOf(folder.Handle));
        return folder;
    }
}
