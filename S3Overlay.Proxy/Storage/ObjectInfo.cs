namespace S3Overlay.Storage;

/// <summary>An object's description.</summary>
/// <param name="ETag">Quoted, exactly as S3 sends it on the wire (<c>"9b2cf5…"</c>, <c>"…-3"</c>).</param>
/// <param name="Metadata">Content headers, user metadata and checksums; listings may leave it empty.</param>
internal sealed record ObjectInfo(string Key, long Size, string ETag, DateTimeOffset LastModified, ObjectMetadata Metadata)
{
    /// <summary>
    /// The version this describes, in a bucket that keeps versions (<c>null</c> for its null
    /// version); null where the bucket was never versioned, and then no version is told.
    /// </summary>
    public string? VersionId { get; init; }

    /// <summary>
    /// Whether <see cref="Metadata"/> is the object's whole metadata, as a HEAD tells it: true
    /// where the store keeps it with the entry (the embedded store's sidecars and listing index),
    /// false where a listing tells none (S3's). A listing's reader that needs the metadata asks a
    /// HEAD only when this is false.
    /// </summary>
    public bool MetadataWhole { get; init; }
}
