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

/// <param name="ChecksumAlgorithm">The checksum the upload promised on CreateMultipartUpload (<c>sha256</c>…); null when none.</param>
/// <param name="ChecksumType">COMPOSITE or FULL_OBJECT, with <paramref name="ChecksumAlgorithm"/>.</param>
public sealed record PartsPage(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker, string? ChecksumAlgorithm = null, string? ChecksumType = null);

/// <summary>
/// The checksum CompleteMultipartUpload's headers say the whole object has (<c>x-amz-checksum-crc32</c>
/// and so on, with <c>x-amz-checksum-type</c>): the store checks it against the one it combines from the parts.
/// </summary>
/// <param name="Algorithm">By lower-case name (<c>crc32</c>).</param>
/// <param name="Value">Base64 as on the wire; a composite checksum ends in <c>-N</c>.</param>
/// <param name="Type">COMPOSITE or FULL_OBJECT; null when the client did not say.</param>
public sealed record ObjectChecksum(string Algorithm, string Value, string? Type);

public sealed record MultipartUpload(string Key, string UploadId, DateTimeOffset Initiated);

public sealed record UploadsRequest(string Prefix = "", string? Delimiter = null, string? KeyMarker = null, string? UploadIdMarker = null, int MaxUploads = 1000);

public sealed record UploadsPage(IReadOnlyList<MultipartUpload> Uploads, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? NextKeyMarker, string? NextUploadIdMarker);
