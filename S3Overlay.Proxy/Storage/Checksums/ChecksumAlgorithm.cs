using System.Security.Cryptography;

namespace S3Overlay.Storage.Checksums;

/// <summary>The additional checksums S3 accepts (<c>x-amz-checksum-*</c>), by their lower-case name.</summary>
/// <param name="Size">The checksum's size in bytes (before base64).</param>
internal sealed record ChecksumAlgorithm(string Name, int Size, Func<IRunningChecksum> Create)
{
    public static readonly ChecksumAlgorithm Crc32 = new("crc32", 4, () => new Crc32());
    public static readonly ChecksumAlgorithm Crc32C = new("crc32c", 4, () => new Crc32C());
    public static readonly ChecksumAlgorithm Crc64Nvme = new("crc64nvme", 8, () => new Crc64Nvme());
    public static readonly ChecksumAlgorithm Sha1 = new("sha1", 20, () => new HashChecksum(HashAlgorithmName.SHA1));
    public static readonly ChecksumAlgorithm Sha256 = new("sha256", 32, () => new HashChecksum(HashAlgorithmName.SHA256));

    public static IReadOnlyList<ChecksumAlgorithm> All { get; } = [Crc32, Crc32C, Crc64Nvme, Sha1, Sha256];

    /// <summary><c>x-amz-checksum-crc32</c> and so on: the header, and the trailer, that carries it.</summary>
    public string HeaderName { get; } = "x-amz-checksum-" + Name;

    /// <summary>By name (<c>CRC32</c>, as in x-amz-sdk-checksum-algorithm) or header name; null when unknown.</summary>
    public static ChecksumAlgorithm? Find(string nameOrHeader)
    {
        foreach (var a in All)
            if (string.Equals(a.Name, nameOrHeader, StringComparison.OrdinalIgnoreCase)
                || string.Equals(a.HeaderName, nameOrHeader, StringComparison.OrdinalIgnoreCase))
                return a;
        return null;
    }

    /// <summary>A checksum value (base64) as bytes; null unless it is base64 of this algorithm's size (a composite <c>…-3</c> is not).</summary>
    public byte[]? TryDecode(string base64)
    {
        var bytes = new byte[Size]; // a longer value does not fit, and fails
        return Convert.TryFromBase64String(base64.Trim(), bytes, out var written) && written == Size ? bytes : null;
    }

    /// <summary>The checksum of <paramref name="data"/>, base64 as on the wire.</summary>
    public string Compute(ReadOnlySpan<byte> data)
    {
        using var checksum = Create();
        checksum.Append(data);
        return Convert.ToBase64String(checksum.Finish());
    }
}
