using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The embedded store: a bucket is a directory under the data folder, an object a file at its
/// key's path, so an existing folder can be served as a bucket. (Being built.)
/// </summary>
public sealed class FileSystemObjectStore(string root, TimeProvider clock) : IObjectStore
{
    private static S3Exception NotYet() => new(S3Error.NotImplemented);

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) => throw NotYet();
    public Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct) => throw NotYet();
    public Task CreateBucketAsync(string bucket, CancellationToken ct) => throw NotYet();
    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => throw NotYet();
    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) => throw NotYet();
    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) => throw NotYet();
    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct) => throw NotYet();
    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) => throw NotYet();
    public Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct) => throw NotYet();
    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => throw NotYet();
    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) => throw NotYet();
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken ct) => throw NotYet();
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw NotYet();
    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) => throw NotYet();
    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) => throw NotYet();
    public Task CheckHealthAsync(CancellationToken ct) => Task.CompletedTask;
}
