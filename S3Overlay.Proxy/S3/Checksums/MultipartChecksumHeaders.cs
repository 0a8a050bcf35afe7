using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Checksums;
using static S3Overlay.Storage.Checksums.MultipartChecksum;

namespace S3Overlay.S3.Checksums;

/// <summary>
/// The headers of a multipart upload's checksum (<c>x-amz-checksum-algorithm</c>,
/// <c>x-amz-checksum-type</c> on CreateMultipartUpload, <c>x-amz-checksum-*</c> on completion):
/// what the stores check and combine (<see cref="MultipartChecksum"/>), as the request says it.
/// </summary>
internal static class MultipartChecksumHeaders
{
    /// <summary>CreateMultipartUpload's promise, as the upload's metadata keeps it; InvalidRequest for a combination S3 refuses.</summary>
    public static ObjectMetadata Declare(HttpRequest request, ObjectMetadata metadata)
    {
        var name = request.Headers["x-amz-checksum-algorithm"].ToString();
        var type = request.Headers["x-amz-checksum-type"].ToString().ToUpperInvariant();
        if (name.Length == 0)
            return type.Length == 0 ? metadata
                : throw Invalid("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
        var algorithm = ChecksumAlgorithm.Find(name) ?? throw Invalid($"Checksum algorithm '{name}' is not supported.");
        // S3's defaults: CRC-64/NVME can only be full-object, the others default to composite.
        type = type.Length > 0 ? type : algorithm == ChecksumAlgorithm.Crc64Nvme ? FullObject : Composite;
        if (type is not (Composite or FullObject)) throw Invalid($"Value for x-amz-checksum-type header is invalid: {type}.");
        if (type == FullObject && !CrcCombine.Supports(algorithm) || type == Composite && algorithm == ChecksumAlgorithm.Crc64Nvme)
            throw Invalid($"The {type} checksum type cannot be used with the {algorithm.Name} checksum algorithm.");
        return metadata with { ChecksumAlgorithm = algorithm.Name, ChecksumType = type };
    }

    /// <summary>
    /// CompleteMultipartUpload's <c>x-amz-checksum-*</c> header (with <c>x-amz-checksum-type</c>): the
    /// checksum the client says the whole object has; null when it sent none.
    /// </summary>
    public static ObjectChecksum? Expected(HttpRequest request)
    {
        ObjectChecksum? expected = null;
        var type = request.Headers["x-amz-checksum-type"].ToString().ToUpperInvariant();
        foreach (var algorithm in ChecksumAlgorithm.All)
        {
            var value = request.Headers[algorithm.HeaderName].ToString().Trim();
            if (value.Length == 0) continue;
            if (expected is not null) throw Invalid("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            expected = new ObjectChecksum(algorithm.Name, value, type.Length > 0 ? type : null);
        }
        if (expected?.Type is not (null or Composite or FullObject)) throw Invalid($"Value for x-amz-checksum-type header is invalid: {type}.");
        return expected;
    }

    private static S3Exception Invalid(string message) => new(S3Error.InvalidRequest.WithMessage(message));
}
