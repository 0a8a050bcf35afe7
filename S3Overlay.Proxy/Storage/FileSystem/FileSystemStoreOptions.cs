using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Storage.FileSystem;

/// <param name="MinimumPartSize">Every part but the last must be at least this big (S3: 5 MiB); tests lower it.</param>
/// <param name="MultipartMaxAge">Uploads neither completed nor aborted are removed after this long (<c>S3_OVERLAY_MULTIPART_MAX_AGE</c>).</param>
internal sealed record FileSystemStoreOptions(long MinimumPartSize = FileSystemStoreCatalog.S3MinimumPartSize, TimeSpan? MultipartMaxAge = null)
{
    public static readonly FileSystemStoreOptions Default = new();

    public TimeSpan MaxUploadAge => MultipartMaxAge ?? TimeSpan.FromHours(24);

    /// <summary>
    /// What tells this boot of the machine from the next (Linux's boot id; tests set their own).
    /// Without one (other systems) a write asking for <see cref="Durability.Unflushed"/> is flushed to disk.
    /// </summary>
    public string? BootId { get; init; } = Unflushed.CurrentBootId();

    /// <summary>
    /// Reads and listings follow links in a bucket's folder wherever they lead
    /// (<c>S3_OVERLAY_FOLLOW_LINKS_OUT</c>); by default only those that stay inside it. Writes
    /// never go through a link out (<see cref="ConfinedFolder"/>).
    /// </summary>
    public bool FollowLinksOut { get; init; }

    /// <summary>
    /// The store is its data folder's one owner: it locks the folder (a second server on it is
    /// refused with <see cref="DataFolderInUseException"/>) and so may remove every temp file
    /// at start-up. The server sets it; tests that open one folder twice in a process do not.
    /// </summary>
    public bool Exclusive { get; init; }

    /// <summary>
    /// A temp file untouched for this long belongs to no request (a body being written grows, a
    /// stalled upload is cut off by Kestrel's minimum data rate long before): the periodic sweep
    /// removes it.
    /// </summary>
    public static readonly TimeSpan TempMaxIdle = TimeSpan.FromHours(1);
}
