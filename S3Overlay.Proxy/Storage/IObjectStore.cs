using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage;

/// <summary>
/// The one seam between the S3 protocol front end and storage (MinIO's ObjectLayer).
/// The file-system store, the S3 store and the overlay store all implement it, and all pass the
/// same contract tests.
/// </summary>
/// <remarks>
/// Failures are <see cref="Errors.StorageException"/>s saying what went wrong in the store's words
/// (BucketNotFound, ObjectNotFound, RangeNotSatisfiable, PreconditionFailed, NotModified, DigestMismatch, ...);
/// the S3 front end answers each with its S3 error.
/// Every write is atomic: a reader sees the old object or the new one, never a torn one, and a
/// write that fails or is cancelled leaves nothing visible.
/// Bodies are streams in both directions; no store holds an object whole in memory.
/// </remarks>
internal partial interface IObjectStore : IReadOnlyStore
{
    /// <summary>Creates a bucket; BucketAlreadyOwnedByYou when it exists.</summary>
    Task CreateBucketAsync(string bucket, CancellationToken ct);

    /// <summary>Deletes an empty bucket; BucketNotEmpty otherwise, NoSuchBucket when absent.</summary>
    Task DeleteBucketAsync(string bucket, CancellationToken ct);

    /// <summary>
    /// <see cref="HeadObjectAsync"/> without conditions, but null where that throws a 404 (no such
    /// key, no such bucket). The overlay asks this of nearly every key it fills (whiteouts), where
    /// a miss is the rule: a store that can tell a miss without throwing one says so here.
    /// </summary>
    async Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await HeadObjectAsync(bucket, key, ReadConditions.None, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }

    /// <summary><see cref="GetObjectAsync"/>, but null where that throws a 404 (see <see cref="FindObjectAsync"/>): the overlay's first look at every key.</summary>
    async Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        try
        {
            return await GetObjectAsync(bucket, key, request, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes an object from <paramref name="body"/>, streaming. The object becomes visible only
    /// once the body has been read to its end and verified (length, Content-MD5).
    /// </summary>
    Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct);

    /// <summary>Deletes an object; deleting a missing key succeeds (S3 answers 204 either way).</summary>
    Task DeleteObjectAsync(string bucket, string key, CancellationToken ct);

    /// <summary>
    /// Replaces the object's tags (an empty set removes them) without changing its bytes, ETag or
    /// Last-Modified; NoSuchKey when there is no object.
    /// </summary>
    Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>
    /// Replaces the object's ACL (<see cref="ObjectMetadata.Acl"/>; null is private) without
    /// changing its bytes, ETag or Last-Modified; NoSuchKey when there is no object.
    /// </summary>
    Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct);

    /// <summary>
    /// A small per-bucket setting the front end keeps (the bucket's ACL, its CORS rules), by name;
    /// null when unset. NoSuchBucket when the bucket does not exist.
    /// </summary>
    Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct);

    /// <summary>Replaces a bucket setting (null removes it), atomically; deleting the bucket removes its settings.</summary>
    Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct);

    Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct);

    Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct);

    /// <summary>Assembles the parts atomically into the object (S3's multipart ETag).</summary>
    /// <param name="expected">The whole object's checksum as the client sent it; BadDigest when the parts combine to another.</param>
    /// <param name="condition">Checked in the same step as the commit; a failed one leaves the upload as it was.</param>
    Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct);

    Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct);

    Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct);

    Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct);
}
