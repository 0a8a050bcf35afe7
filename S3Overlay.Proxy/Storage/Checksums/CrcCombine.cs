using System.Buffers.Binary;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// The CRC of concatenated data from the CRCs of its pieces and their lengths (zlib's
/// <c>crc32_combine</c>, for any reflected CRC with all-ones init and final XOR): a multipart
/// upload's FULL_OBJECT checksum is had without reading the assembled object again.
/// </summary>
internal static class CrcCombine
{
    /// <returns>The reflected polynomial and width of a CRC algorithm; null for hashes, which cannot be combined.</returns>
    private static (ulong Polynomial, int Width)? Shape(ChecksumAlgorithm algorithm) => algorithm.Name switch
    {
        "crc32" => (0xEDB88320ul, 32),
        "crc32c" => (0x82F63B78ul, 32),
        "crc64nvme" => (0x9A6C9329AC4BC9B5ul, 64),
        _ => null,
    };

    public static bool Supports(ChecksumAlgorithm algorithm) => Shape(algorithm) is not null;

    /// <summary>The CRC of the pieces one after the other; each piece's CRC is big-endian as on the wire.</summary>
    public static byte[] Combine(ChecksumAlgorithm algorithm, IEnumerable<(byte[] Crc, long Length)> pieces)
    {
        var (polynomial, width) = Shape(algorithm) ?? throw new ArgumentException($"{algorithm.Name} is not a CRC.", nameof(algorithm));
        ulong crc = 0; // the CRC of no bytes
        foreach (var (pieceCrc, length) in pieces)
            crc = MultiplyModP(XPower8N(length, polynomial, width), crc, polynomial, width) ^ Read(pieceCrc, width);
        var result = new byte[width / 8];
        if (width == 32) BinaryPrimitives.WriteUInt32BigEndian(result, (uint)crc);
        else BinaryPrimitives.WriteUInt64BigEndian(result, crc);
        return result;
    }

    private static ulong Read(byte[] crc, int width) =>
        width == 32 ? BinaryPrimitives.ReadUInt32BigEndian(crc) : BinaryPrimitives.ReadUInt64BigEndian(crc);

    /// <summary>a·b modulo the polynomial, in the reflected bit order (the top bit is x⁰).</summary>
    private static ulong MultiplyModP(ulong a, ulong b, ulong polynomial, int width)
    {
        var m = 1ul << (width - 1);
        ulong product = 0;
        while (a != 0)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                a ^= m;
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ polynomial : b >> 1;
        }
        return product;
    }

    /// <summary>x^(8n) modulo the polynomial: appending n zero bytes to a CRC register multiplies it by this.</summary>
    private static ulong XPower8N(long n, ulong polynomial, int width)
    {
        var result = 1ul << (width - 1); // x⁰
        var square = 1ul << (width - 2); // x¹
        for (var i = 0; i < 3; i++) square = MultiplyModP(square, square, polynomial, width); // x⁸
        for (; n > 0; n >>= 1)
        {
            if ((n & 1) != 0) result = MultiplyModP(square, result, polynomial, width);
            square = MultiplyModP(square, square, polynomial, width);
        }
        return result;
    }
}
