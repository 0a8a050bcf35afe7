using System.Globalization;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// The checksum a multipart upload promises when it is created, checked on every part and
/// combined on completion: COMPOSITE is the algorithm over the parts' binary checksums with
/// <c>-N</c> after it, FULL_OBJECT (CRCs only) the checksum of the whole object's bytes. Shared by
/// every store that keeps its own parts.
/// </summary>
internal static class MultipartChecksum
{
    public const string Composite = "COMPOSITE";
    public const string FullObject = "FULL_OBJECT";

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
                throw new StorageException(StorageFault.InvalidPart, message:
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
                    .With("PartNumber", asked.PartNumber.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The completed object's checksum (by algorithm, base64 as on the wire), or none when the upload promised none.</summary>
    public static IReadOnlyDictionary<string, string> OfObject(ObjectMetadata upload, IReadOnlyList<PartInfo> parts)
    {
        if (upload.ChecksumAlgorithm is not { } name || ChecksumAlgorithm.Find(name) is not { } algorithm) return ObjectMetadata.EmptyMap;
        var values = parts.Select(p => (Crc: Decode(algorithm, p.Checksums[name]), Length: p.Size)).ToList();
        string value;
        if (upload.ChecksumType == FullObject)
        {
            value = Convert.ToBase64String(CrcCombine.Combine(algorithm, values));
        }
        else
        {
            using var checksum = algorithm.Create();
            foreach (var (crc, _) in values) checksum.Append(crc);
            value = Convert.ToBase64String(checksum.Finish()) + "-" + parts.Count.ToString(CultureInfo.InvariantCulture);
        }
        return new Dictionary<string, string> { [name] = value };
    }

    /// <summary>
    /// The checksum the client expects of the whole object must be the one its parts combine to:
    /// another type or algorithm than the upload promised → an invalid request, another value → a
    /// digest mismatch. An upload that promised no checksum has nothing to combine, so nothing is checked.
    /// </summary>
    public static void CheckObject(ObjectMetadata upload, IReadOnlyDictionary<string, string> combined, ObjectChecksum? expected)
    {
        if (expected is null || upload.ChecksumAlgorithm is not { } promised) return;
        if (expected.Type is { } type && type != upload.ChecksumType)
            throw Invalid($"The upload was created using the {upload.ChecksumType} checksum mode. The complete request must use the same checksum mode.");
        if (expected.Algorithm != promised)
            throw Invalid($"Checksum Type mismatch occurred, expected checksum Type: {promised}, actual checksum Type: {expected.Algorithm}");
        if (!Matches(combined[promised], expected.Value))
            throw new StorageException(StorageFault.DigestMismatch, message: $"The {promised} you specified did not match the calculated checksum.");
    }

    /// <summary>
    /// A composite checksum may be sent without its <c>-N</c> (minio-go sends the checksum of the
    /// parts' checksums alone): AWS and MinIO then compare the value, and the part count only when given.
    /// </summary>
    private static bool Matches(string combined, string expected) =>
        combined == expected || !expected.Contains('-') && combined.StartsWith(expected + "-", StringComparison.Ordinal);

    /// <summary>A part's checksum as the store kept it, which was checked when the part came in.</summary>
    private static byte[] Decode(ChecksumAlgorithm algorithm, string base64) =>
        algorithm.TryDecode(base64) ?? throw Invalid($"Value for {algorithm.HeaderName} header is invalid.");

    private static StorageException Invalid(string message) => new(StorageFault.InvalidRequest, message: message);
}
