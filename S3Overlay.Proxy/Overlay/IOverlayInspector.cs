using S3Overlay.Overlay.Eviction;

namespace S3Overlay.Overlay;

/// <summary>Where an object lives, as the overlay sees it.</summary>
internal enum ObjectPlacement
{
    /// <summary>Neither store has it (or the remote was not asked and the local store lacks it).</summary>
    Absent,
    /// <summary>Written here by a client: the local store's own, never evicted.</summary>
    LocalOnly,
    /// <summary>Filled from the remote and held whole (a whole object, or every chunk of a chunked one).</summary>
    Cached,
    /// <summary>Some chunks of a chunked object are held; <see cref="ObjectLocation.CachedChunks"/> says which.</summary>
    PartlyCached,
    /// <summary>Only the remote holds it; a read fetches it.</summary>
    RemoteOnly,
    /// <summary>Deleted here: hidden whatever the remote holds.</summary>
    WhitedOut,
}

/// <param name="Size">The object's size when known.</param>
/// <param name="CachedChunks">For a chunked object, whether each chunk is held (index order); null otherwise.</param>
/// <param name="ValidatedAt">For what came from the remote: when the remote last confirmed it (the fill, or a revalidation).</param>
/// <param name="StaleAfter">When a read will check it against the remote again; null when it is trusted until evicted.</param>
internal sealed record ObjectLocation(
    ObjectPlacement Placement, long? Size = null, IReadOnlyList<bool>? CachedChunks = null, DateTimeOffset? ValidatedAt = null, DateTimeOffset? StaleAfter = null);

/// <summary>
/// A read-only view of what the overlay holds, for pages that show it (the web browser). It never
/// fills, evicts or changes anything; only <see cref="LocateAsync"/> with <c>askRemote</c> costs
/// a remote request (one HEAD, for a key the local store and the cache lack).
/// </summary>
internal interface IOverlayInspector
{
    Task<ObjectLocation> LocateAsync(string bucket, string key, bool askRemote, CancellationToken ct);

    /// <summary>What is cached under a prefix of a local bucket (objects, chunked objects, chunks, bytes).</summary>
    Task<CacheReport> CachedUnderAsync(string bucket, string prefix, CancellationToken ct);
}
