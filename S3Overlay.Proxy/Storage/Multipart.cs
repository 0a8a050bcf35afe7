using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage;

/// <param name="Checksums">The part's checksums as the client listed them in CompleteMultipartUpload (<c>ChecksumSHA256</c>…), by algorithm; each must match the stored part's.</param>
internal sealed record CompletedPart(int PartNumber, string ETag, IReadOnlyDictionary<string, string>? Checksums = null)
{
    /// <summary>
    /// The listed parts grouped by part number, in order; InvalidPartOrder when a number is lower
    /// than the one before it. A number may be listed twice in a row: a client that uploaded a part
    /// again while its first upload was still arriving lists both answers, and the upload that
    /// finished last is the part (S3 completes such a list).
    /// </summary>
    public static List<IReadOnlyList<CompletedPart>> InOrder(IReadOnlyList<CompletedPart> parts)
    {
        var numbers = new List<IReadOnlyList<CompletedPart>>();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0 && parts[i].PartNumber < parts[i - 1].PartNumber) throw new StorageException(StorageFault.InvalidPartOrder);
            if (i > 0 && parts[i].PartNumber == parts[i - 1].PartNumber) ((List<CompletedPart>)numbers[^1]).Add(parts[i]);
            else numbers.Add(new List<CompletedPart> { parts[i] });
        }
        return numbers;
    }
}

/// <summary>S3's multipart ETag: the MD5 of the parts' binary MD5s, then <c>-</c> and the number of parts. Quoted.</summary>
internal static class MultipartETag
{
    /// <returns>The ETag; null when a part's ETag is not an MD5 (then no multipart ETag can be told from them).</returns>
    public static string? Of(IEnumerable<string> partETags)
    {
        var digests = new List<byte>();
        var count = 0;
        foreach (var etag in partETags)
        {
            if (PlainETag.Md5Of(etag) is not { } md5) return null;
            digests.AddRange(md5);
            count++;
        }
        return "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(digests.ToArray())) + "-" + count + "\"";
    }
}

internal sealed record PartInfo(int PartNumber, string ETag, long Size, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Checksums);

/// <summary>
/// One part of a completed multipart object, as the object remembers it: for GET/HEAD with
/// <c>partNumber</c> and GetObjectAttributes' ObjectParts.
/// </summary>
/// <param name="PartNumber">The number the part was uploaded with (S3 keeps gaps: 1, 3, 7).</param>
internal sealed record ObjectPart(int PartNumber, long Size, IReadOnlyDictionary<string, string> Checksums);

/// <param name="ChecksumAlgorithm">The checksum the upload promised on CreateMultipartUpload (<c>sha256</c>…); null when none.</param>
/// <param name="ChecksumType">COMPOSITE or FULL_OBJECT, with <paramref name="ChecksumAlgorithm"/>.</param>
internal sealed record PartsPage(IReadOnlyList<PartInfo> Parts, bool IsTruncated, int NextPartNumberMarker, string? ChecksumAlgorithm = null, string? ChecksumType = null);

/// <summary>
/// The checksum CompleteMultipartUpload's headers say the whole object has (<c>x-amz-checksum-crc32</c>
/// and so on, with <c>x-amz-checksum-type</c>): the store checks it against the one it combines from the parts.
/// </summary>
/// <param name="Algorithm">By lower-case name (<c>crc32</c>).</param>
/// <param name="Value">Base64 as on the wire; a composite checksum ends in <c>-N</c>.</param>
/// <param name="Type">COMPOSITE or FULL_OBJECT; null when the client did not say.</param>
internal sealed record ObjectChecksum(string Algorithm, string Value, string? Type);

internal sealed record MultipartUpload(string Key, string UploadId, DateTimeOffset Initiated);

internal sealed record UploadsRequest(string Prefix = "", string? Delimiter = null, string? KeyMarker = null, string? UploadIdMarker = null, int MaxUploads = 1000);

internal sealed record UploadsPage(IReadOnlyList<MultipartUpload> Uploads, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? NextKeyMarker, string? NextUploadIdMarker);
