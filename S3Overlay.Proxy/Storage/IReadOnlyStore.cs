namespace S3Overlay.Storage;

/// <summary>
/// A store that is only read (the overlay's remote): its buckets, its objects and their tags, its
/// listings, and whether it answers. <see cref="IObjectStore"/> is this and what writes: each
/// member is declared once, here, with the answers and failures of both.
/// </summary>
internal interface IReadOnlyStore
{
    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct);

    /// <returns>The bucket, or null when it does not exist.</returns>
    Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct);

    /// <summary>
    /// The object's description, after <paramref name="conditions"/> are evaluated against it
    /// (NotModified / PreconditionFailed).
    /// </summary>
    Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct);

    /// <summary>
    /// Opens the object for reading: conditions are evaluated first, then the range is resolved
    /// against the object's size (InvalidRange when unsatisfiable). The caller disposes the result.
    /// </summary>
    Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct);

    /// <summary>
    /// One page of keys in S3's order (ordinal, by UTF-8 bytes), with common prefixes rolled up
    /// when a delimiter is given. Entries (keys and common prefixes alike) at or before
    /// <see cref="ListRequest.StartAfter"/> are skipped, so a page resumes exactly after the
    /// last entry of the page before it.
    /// </summary>
    Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct);

    /// <summary>The object's tags (empty when it has none); NoSuchKey when there is no object.</summary>
    Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct);

    /// <summary>Throws when the store cannot be reached (health checks).</summary>
    Task CheckHealthAsync(CancellationToken ct);
}
