using S3Overlay.Storage;

namespace S3Overlay.Overlay.Records;

/// <summary>
/// What an object's record key in the cache bucket held when a read looked, before it asked the
/// remote anything: the record (null when there was none, or none that parses) and the version
/// of it, the stored ETag (null when the key was empty). A read that then learns of another
/// generation replaces exactly this version or nothing, so a record never goes back to a
/// generation older than one a reader has been served, in this process or any other sharing
/// the local store.
/// </summary>
internal sealed record RecordSeen(FillRecord? Record, string? Version)
{
    public static readonly RecordSeen Nothing = new(null, null);

    /// <summary>Whether the record names this generation, chunked or whole.</summary>
    public bool Names(ObjectInfo generation, bool chunked) => Record is { } r && r.ETag == generation.ETag && r.IsChunked == chunked;
}
