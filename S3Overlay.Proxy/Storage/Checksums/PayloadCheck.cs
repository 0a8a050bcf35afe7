using System.Security.Cryptography;
using S3Overlay.Storage.Errors;

using S3Overlay.Streams;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// One digest a payload must have: computed while the bytes stream past, compared at the end in
/// constant time. <see cref="Algorithm"/> names checksums worth storing with the object (null for
/// x-amz-content-sha256, which only guards the transfer).
/// </summary>
/// <param name="mismatch">What a payload that does not have the digest fails with.</param>
internal sealed class PayloadCheck(IRunningChecksum running, Func<Exception> mismatch, ChecksumAlgorithm? algorithm = null) : IDisposable
{
    public ChecksumAlgorithm? Algorithm { get; } = algorithm;

    /// <summary>The value to expect; may be set late (a trailer arrives after the data).</summary>
    public byte[]? Expected { get; set; }

    /// <summary>Base64 of the verified value, once <see cref="Verify"/> has passed.</summary>
    public string? Verified { get; private set; }

    public static PayloadCheck For(ChecksumAlgorithm algorithm, byte[]? expected = null) =>
        new(algorithm.Create(), () => new StorageException(StorageFault.DigestMismatch, message: $"The {algorithm.Name.ToUpperInvariant()} you specified did not match the calculated checksum."), algorithm)
        { Expected = expected };

    /// <summary>The MD5 a body must have (Content-MD5, or a remote body's plain ETag); only guards the transfer, so not stored.</summary>
    public static PayloadCheck Md5(byte[] expected) =>
        new(new HashChecksum(HashAlgorithmName.MD5), () => new StorageException(StorageFault.DigestMismatch)) { Expected = expected };

    public void Append(ReadOnlySpan<byte> data) => running.Append(data);

    public void Verify()
    {
        var actual = running.Finish();
        if (Expected is null || !CryptographicOperations.FixedTimeEquals(actual, Expected))
            throw mismatch();
        Verified = Convert.ToBase64String(actual);
    }

    public void Dispose() => running.Dispose();
}
