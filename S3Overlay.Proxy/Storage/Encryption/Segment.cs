using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// The format of encrypted bytes at rest, after MinIO's DARE: a body written in one piece (an
/// object, or one part of a multipart object) is a segment, a 32-byte header then packages of
/// 64 KiB of plaintext, each sealed on its own by AES-256-GCM with a 16-byte tag. A package's
/// nonce is its index, and its associated data tells whether it is the segment's last and the
/// segment's length, so packages cannot be reordered, dropped or cut short unnoticed, while a range
/// decrypts only the packages it touches.
/// </summary>
/// <remarks>
/// Header: <c>S3OE</c>, version 1, three zero bytes, the plaintext length (8 bytes, big-endian)
/// and a 16-byte salt. The segment's key is HMAC-SHA256(data key, salt): a part uploaded again under
/// the same number gets a new salt, so no key ever seals two plaintexts under one nonce.
/// </remarks>
internal static class Segment
{
    public const int HeaderSize = 32;
    public const int PackageSize = 64 * 1024;
    public const int TagSize = 16;
    public const int SealedPackageSize = PackageSize + TagSize;
    private const int SaltSize = 16;
    private static readonly byte[] Magic = "S3OE"u8.ToArray();

    public static long Packages(long plaintext) => Math.Max(1, (plaintext + PackageSize - 1) / PackageSize);

    public static long CiphertextSize(long plaintext) => HeaderSize + plaintext + TagSize * Packages(plaintext);

    /// <summary>The plaintext length of a segment of <paramref name="ciphertext"/> bytes; -1 when no segment has that size.</summary>
    public static long PlaintextSize(long ciphertext)
    {
        if (ciphertext < HeaderSize + TagSize) return -1;
        var packages = (ciphertext - HeaderSize + SealedPackageSize - 1) / SealedPackageSize;
        var plaintext = ciphertext - HeaderSize - TagSize * packages;
        return CiphertextSize(plaintext) == ciphertext ? plaintext : -1;
    }

    /// <summary>Where package <paramref name="index"/> starts, from the segment's start.</summary>
    public static long PackageOffset(long index) => HeaderSize + index * SealedPackageSize;

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltSize);

    /// <summary>A segment written in one piece gets a new data key, so a fixed salt is safe there.</summary>
    public static readonly byte[] ZeroSalt = new byte[SaltSize];

    public static byte[] Header(long plaintext, byte[] salt)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        header[4] = 1;
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(8), plaintext);
        salt.CopyTo(header, 16);
        return header;
    }

    /// <summary>The plaintext length and salt a header tells; null when the bytes are no header.</summary>
    public static (long Plaintext, byte[] Salt)? ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize || !header[..4].SequenceEqual(Magic) || header[4] != 1) return null;
        var plaintext = BinaryPrimitives.ReadInt64BigEndian(header[8..]);
        return plaintext < 0 ? null : (plaintext, header.Slice(16, SaltSize).ToArray());
    }

    public static AesGcm Cipher(byte[] dataKey, byte[] salt) =>
        new(HMACSHA256.HashData(dataKey, (byte[])[.. Encoding.ASCII.GetBytes("s3overlay package key"), .. salt]), TagSize);

    public static void Nonce(Span<byte> nonce, long index)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    public static void AssociatedData(Span<byte> data, long index, long plaintext)
    {
        data[0] = index == Packages(plaintext) - 1 ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(data[1..], plaintext);
    }

    public const int AssociatedDataSize = 9;
}
