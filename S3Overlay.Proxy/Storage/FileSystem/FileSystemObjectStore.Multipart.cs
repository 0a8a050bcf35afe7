using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

public sealed partial class FileSystemObjectStore
{
    private static S3Exception NotYet() => new(S3Error.NotImplemented);

    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => throw NotYet();
    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) => throw NotYet();
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken ct) => throw NotYet();
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw NotYet();
    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) => throw NotYet();
    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) => throw NotYet();
}
