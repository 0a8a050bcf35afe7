namespace S3Overlay.Configuration.Catalog;

/// <summary>The embedded file-system store (the local store unless an S3 server is configured).</summary>
internal static class FileSystemStoreCatalog
{
    /// <summary>S3's smallest part but the last (5 MiB), the store's default.</summary>
    public const long S3MinimumPartSize = 5L * 1024 * 1024;

    public static readonly DurationSetting MultipartMaxAge = new("S3_OVERLAY_MULTIPART_MAX_AGE", TimeSpan.FromHours(24),
        "File-system store: multipart uploads neither completed nor aborted are removed after this long (seconds, or `hh:mm:ss`)")
    { Note = "24 h" };

    public static readonly BoolSetting FollowLinksOut = new("S3_OVERLAY_FOLLOW_LINKS_OUT", false,
        "File-system store: reads and listings follow symbolic links out of a bucket's folder (writes never do); see [Embedded file-system store](stores.md#the-embedded-file-system-store)")
    {
        Flag = "--follow-links-out",
        FlagMeaning = "Reads follow symbolic links out of a bucket's folder (true/false): serves whatever they point at",
    };

    public static readonly LongSetting MultipartMinPartSize = new("S3_OVERLAY_MULTIPART_MIN_PART_SIZE", S3MinimumPartSize,
        "File-system store: smallest part (bytes) allowed before the last one (`EntityTooSmall`)")
    { Min = 1, Note = "5 MiB" };
}
