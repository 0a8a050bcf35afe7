using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Checksums;

/// <summary>
/// The checksum a multipart upload promises on CreateMultipartUpload (<c>x-amz-checksum-algorithm</c>,
/// <c>x-amz-checksum-type</c>), checked on every part and combined on completion: COMPOSITE is the
/// algorithm over the parts' binary checksums with <c>-N</c> after it, FULL_OBJECT (CRCs only) the
/// checksum of the whole object's bytes. Shared by every store that keeps its own parts.
/// </summary>
public static class MultipartChecksum
{
    public const string Composite = "COMPOSITE";
    public const string FullObject = "FULL_OBJECT";

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

    /// <summary>A part of an upload that promised a checksum must carry that checksum (verified over its bytes on the way in).</summary>
    public static void CheckPart(ObjectMetadata upload, IReadOnlyDictionary<string, string> partChecksums)
    {
        if (upload.ChecksumAlgorithm is not { } expected) return;
        if (partChecksums.ContainsKey(expected)) return;
        var actual = partChecksums.Keys.FirstOrDefault() ?? "null";
        throw Invalid($"Checksum Type mismatch occurred, expected checksum Type: {expected}, actual checksum Type: {actual}");
    }

    /// <summary>A part as CompleteMultipartUpload lists it: any checksum it names must be the stored part's.</summary>
    public static void CheckCompleted(CompletedPart asked, PartInfo stored)
    {
        foreach (var (algorithm, value) in asked.Checksums ?? ObjectMetadata.EmptyMap)
            if (!stored.Checksums.TryGetValue(algorithm, out var kept) || kept != value.Trim())
                throw new S3Exception(S3Error.InvalidPart.WithMessage(
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."))
                    .With("PartNumber", asked.PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The completed object's checksum (by algorithm, base64 as on the wire), or none when the upload promised none.</summary>
    public static IReadOnlyDictionary<string, string> OfObject(ObjectMetadata upload, IReadOnlyList<PartInfo> parts)
    {
        if (upload.ChecksumAlgorithm is not { } name || ChecksumAlgorithm.Find(name) is not { } algorithm) return ObjectMetadata.EmptyMap;
        var values = parts.Select(p => (Crc: ChecksumHeaders.Decode(algorithm, p.Checksums[name]), Length: p.Size)).ToList();
        string value;
        if (upload.ChecksumType == FullObject)
        {
            value = Convert.ToBase64String(CrcCombine.Combine(algorithm, values));
        }
        else
        {
            using var checksum = algorithm.Create();
            foreach (var (crc, _) in values) checksum.Append(crc);
            value = Convert.ToBase64String(checksum.Finish()) + "-" + parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return new Dictionary<string, string> { [name] = value };
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

    /// <summary>
    /// The checksum the client expects of the whole object must be the one its parts combine to:
    /// another type or algorithm than the upload promised → InvalidRequest, another value → BadDigest.
    /// An upload that promised no checksum has nothing to combine, so nothing is checked.
    /// </summary>
    public static void CheckObject(ObjectMetadata upload, IReadOnlyDictionary<string, string> combined, ObjectChecksum? expected)
    {
        if (expected is null || upload.ChecksumAlgorithm is not { } promised) return;
        if (expected.Type is { } type && type != upload.ChecksumType)
            throw Invalid($"The upload was created using the {upload.ChecksumType} checksum mode. The complete request must use the same checksum mode.");
        if (expected.Algorithm != promised)
            throw Invalid($"Checksum Type mismatch occurred, expected checksum Type: {promised}, actual checksum Type: {expected.Algorithm}");
        if (!Matches(combined[promised], expected.Value))
            throw new S3Exception(S3Error.BadDigest.WithMessage($"The {promised} you specified did not match the calculated checksum."));
    }

    /// <summary>
    /// A composite checksum may be sent without its <c>-N</c> (minio-go sends the checksum of the
    /// parts' checksums alone): AWS and MinIO then compare the value, and the part count only when given.
    /// </summary>
    private static bool Matches(string combined, string expected) =>
        combined == expected || !expected.Contains('-') && combined.StartsWith(expected + "-", StringComparison.Ordinal);

    private static S3Exception Invalid(string message) => new(S3Error.InvalidRequest.WithMessage(message));
}
