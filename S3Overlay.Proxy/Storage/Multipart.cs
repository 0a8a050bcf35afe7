namespace S3Overlay.Storage;

public sealed record CompletedPart(int PartNumber, string ETag);

public sealed record PartInfo(int PartNumber, string ETag, long Size, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Checksums);

public sealed record PartsPage(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker);

public sealed record MultipartUpload(string Key, string UploadId, DateTimeOffset Initiated);

public sealed record UploadsRequest(string Prefix = "", string? Delimiter = null, string? KeyMarker = null, string? UploadIdMarker = null, int MaxUploads = 1000);

public sealed record UploadsPage(IReadOnlyList<MultipartUpload> Uploads, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? NextKeyMarker, string? NextUploadIdMarker);
