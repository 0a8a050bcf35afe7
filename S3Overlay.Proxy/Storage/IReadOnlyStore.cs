namespace S3Overlay.Storage;

/// <summary>
/// A store that is only read (the overlay's remote): its buckets, its objects and their tags, its
/// listings, and whether it answers. The same members, answers and failures as on
/// <see cref="IObjectStore"/>, and nothing that writes.
/// </summary>
internal interface IReadOnlyStore
{
    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct);

    /// <returns>The bucket, or null when it does not exist.</returns>
    Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct);

    Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct);

    Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct);

    Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct);

    Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct);

    /// <summary>Throws when the store cannot be reached.</summary>
    Task CheckHealthAsync(CancellationToken ct);
}
