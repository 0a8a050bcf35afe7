using S3Overlay.Storage.Checksums;
using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>A GET's body as it is to be read, and what reading it to its end proves it by (<see cref="ObjectContent.VerifiedBy"/>).</summary>
internal readonly record struct CheckedBody(Stream Stream, string? VerifiedBy);

/// <summary>The body of a GET, checked and made cheap to read.</summary>
internal static class RemoteBody
{
    /// <summary>
    /// Full-object checksums, cheapest first: the CRCs fold at a tenth of a millisecond per MiB
    /// (<see cref="CrcFolding"/>), SHA-1 and SHA-256 run on the CPU's SHA instructions, and all
    /// cost less than the MD5 they stand in for (1.4–2.2 ms per MiB here).
    /// </summary>
    private static readonly ChecksumAlgorithm[] ByCost =
        [ChecksumAlgorithm.Crc64Nvme, ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32C, ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha256];

    /// <summary>
    /// A whole body is refused before its last byte when it differs from the cheapest evidence
    /// the answer gives for all of it: a full-object checksum, else the MD5 a plain ETag is.
    /// Whoever follows it (a fill's readers, the local write) never sees it complete and wrong.
    /// One digest per body, straight on the HTTP stream. A composite checksum (of the parts'
    /// checksums) and a multipart ETag speak for no body, so then only the length is checked.
    /// </summary>
    /// <param name="whole">Whether the whole object was asked for (a range carries the whole object's ETag, so cannot be checked).</param>
    /// <param name="proveByMd5">Whether a plain ETag's MD5 proves the body when no full-object checksum does (<see cref="ObjectReadRequest.ProveByMd5"/>).</param>
    public static CheckedBody Of(ObjectAnswer answer, bool whole, bool proveByMd5 = true)
    {
        var body = answer.Body ?? throw new InvalidOperationException("A HEAD has no body.");
        if (!whole || answer.ContentRange is not null) return new CheckedBody(body, null);
        if (FullObjectChecksum(answer) is var (algorithm, value))
            return new CheckedBody(new VerifyingStream(body, [PayloadCheck.For(algorithm, value)], answer.ContentLength, ownsSource: true), algorithm.Name);
        // An object encrypted with KMS or a customer's key has an ETag that is not the MD5 of its bytes.
        if (proveByMd5 && !answer.KeyEncrypted && PlainETag.Md5Of(answer.ETag) is { } md5)
            return new CheckedBody(new VerifyingStream(body, [PayloadCheck.Md5(md5)], answer.ContentLength, ownsSource: true), "md5");
        return new CheckedBody(body, null);
    }

    private static (ChecksumAlgorithm, byte[])? FullObjectChecksum(ObjectAnswer answer)
    {
        if (answer.ChecksumType is { } type && !type.Equals(MultipartChecksum.FullObject, StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var algorithm in ByCost)
            // A composite value ("…-3") is no base64 of the algorithm's size, whatever the type says.
            if (answer.Checksums.TryGetValue(algorithm.Name, out var text) && algorithm.TryDecode(text) is { } value)
                return (algorithm, value);
        return null;
    }
}
