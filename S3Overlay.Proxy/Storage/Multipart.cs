namespace S3Overlay.Storage;

/// <param name="Checksums">The part's checksums as the client listed them in CompleteMultipartUpload (<c>ChecksumSHA256</c>…), by algorithm; each must match the stored part's.</param>
public sealed record CompletedPart(int PartNumber, string ETag, IReadOnlyDictionary<string, string>? Checksums = null);

public sealed record PartInfo(int PartNumber, string ETag, long Size, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Checksums);

/// <summary>
/// One part of a completed multipart object, as the object remembers it: for GET/HEAD with
/// <c>partNumber</c> and GetObjectAttributes' ObjectParts.
/// </summary>
/// <param name="PartNumber">The number the part was uploaded with (S3 keeps gaps: 1, 3, 7).</param>
public sealed record ObjectPart(int PartNumber, long Size, IReadOnlyDictionary<string, string> Checksums);

public sealed record PartsPage(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker);

public sealed record MultipartUpload(string Key, string UploadId, DateTimeOffset Initiated);

public sealed record UploadsRequest(string Prefix = "", string? Delimiter = null, string? KeyMarker = null, string? UploadIdMarker = null, int MaxUploads = 1000);

public sealed record UploadsPage(IReadOnlyList<MultipartUpload> Uploads, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? NextKeyMarker, string? NextUploadIdMarker);
