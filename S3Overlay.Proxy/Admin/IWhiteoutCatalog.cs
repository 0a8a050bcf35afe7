namespace S3Overlay.Admin;

/// <summary>
/// The whiteouts (deletions that hide remote objects) as the admin API lists and clears them.
/// Implemented by the overlay's whiteout store and registered as a service; until one is, the
/// whiteout endpoints answer 501.
/// </summary>
public interface IWhiteoutCatalog
{
    /// <summary>Keys of a local bucket under a prefix that carry a whiteout, in S3 order (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<string>> ListAsync(string bucket, string prefix, int limit, CancellationToken ct);

    /// <summary>Clears the whiteouts under a prefix (a key is a prefix of itself with <paramref name="exact"/>): the remote objects show again.</summary>
    /// <returns>How many were cleared.</returns>
    Task<int> ClearAsync(string bucket, string prefix, bool exact, CancellationToken ct);
}
