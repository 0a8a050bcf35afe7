using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// A reflected CRC of up to 64 bits computed with carry-less multiplication (PCLMULQDQ), 16 bytes
/// a step in four independent lanes, instead of a table lookup per byte: a fill verified by the
/// remote's CRC-64/NVME or CRC-32 costs a tenth of a millisecond per MiB instead of more than
/// its MD5 would (a byte-wise table does ~400 MB/s; MD5 ~500 MB/s here).
/// </summary>
/// <remarks>
/// The arithmetic: a CRC without its initial and final XOR is M(x)·x^w mod P. Folding replaces
/// the leading 128 bits A of the message by A·x^D mod P (D the distance folded over), which
/// leaves M mod P, and so the CRC, unchanged; the 128 bits left at the end go through the table
/// with a zero register. For the reflected bit order, the carry-less product of a 64-bit lane
/// and rev64(x^(D+63) mod P) is exactly the folded lane's value times x^D, already in 128-bit
/// reflected form (no shift), hence the constants below. The register's value enters as an XOR
/// into the message's first bytes, as it does in the byte-wise form.
/// </remarks>
internal sealed class CrcFolding
{
    private readonly ulong[] _table;
    private readonly Vector128<ulong> _foldBy1; // 128 bits ahead: x^191, x^127
    private readonly Vector128<ulong> _foldBy4; // 512 bits ahead: x^575, x^511

    /// <param name="width">The CRC's width in bits (32 or 64).</param>
    /// <param name="reflectedPolynomial">The polynomial in reflected form (0xEDB88320 for CRC-32).</param>
    public CrcFolding(int width, ulong reflectedPolynomial)
    {
        _table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ reflectedPolynomial : c >> 1;
            _table[i] = c;
        }
        var normal = Reverse(reflectedPolynomial) >> (64 - width);
        ulong Constant(int power) => Reverse(PowerOfX(power, normal, width));
        _foldBy1 = Vector128.Create(Constant(191), Constant(127));
        _foldBy4 = Vector128.Create(Constant(575), Constant(511));
    }

    /// <summary>Whether the CPU folds (x86 with PCLMULQDQ); elsewhere callers keep their table.</summary>
    public static bool IsSupported => Pclmulqdq.IsSupported;

    /// <summary>
    /// The register after <paramref name="data"/>, from <paramref name="crc"/> (both without the
    /// final XOR, in the low bits as the table form keeps them).
    /// </summary>
    public ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= 64 && IsSupported)
        {
            var blocks = data.Length & ~15;
            crc = Fold(crc, data[..blocks]);
            data = data[blocks..];
        }
        return Bytewise(crc, data);
    }

    private ulong Bytewise(ulong crc, ReadOnlySpan<byte> data)
    {
        var table = _table;
        foreach (var b in data) crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        return crc;
    }

    /// <param name="data">A multiple of 16 bytes, at least 64.</param>
    private ulong Fold(ulong crc, ReadOnlySpan<byte> data)
    {
        var lanes = MemoryMarshal.Cast<byte, Vector128<ulong>>(data);
        var a0 = lanes[0] ^ Vector128.CreateScalar(crc);
        Vector128<ulong> a1 = lanes[1], a2 = lanes[2], a3 = lanes[3];
        var i = 4;
        for (; i + 4 <= lanes.Length; i += 4)
        {
            a0 = Times(a0, _foldBy4) ^ lanes[i];
            a1 = Times(a1, _foldBy4) ^ lanes[i + 1];
            a2 = Times(a2, _foldBy4) ^ lanes[i + 2];
            a3 = Times(a3, _foldBy4) ^ lanes[i + 3];
        }
        var acc = Times(a0, _foldBy1) ^ a1;
        acc = Times(acc, _foldBy1) ^ a2;
        acc = Times(acc, _foldBy1) ^ a3;
        for (; i < lanes.Length; i++) acc = Times(acc, _foldBy1) ^ lanes[i];

        Span<byte> rest = stackalloc byte[16];
        MemoryMarshal.Write(rest, in acc);
        return Bytewise(0, rest);
    }

    private static Vector128<ulong> Times(Vector128<ulong> value, Vector128<ulong> constants) =>
        Pclmulqdq.CarrylessMultiply(value, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(value, constants, 0x11);

    /// <summary>x^<paramref name="power"/> mod P, P of degree <paramref name="width"/> given without its top term, in normal bit order.</summary>
    private static ulong PowerOfX(int power, ulong polynomial, int width)
    {
        var top = 1ul << (width - 1);
        var mask = width == 64 ? ulong.MaxValue : (1ul << width) - 1;
        ulong r = 1;
        for (var i = 0; i < power; i++)
        {
            var carry = (r & top) != 0;
            r = (r << 1) & mask;
            if (carry) r ^= polynomial;
        }
        return r;
    }

    private static ulong Reverse(ulong value)
    {
        ulong r = 0;
        for (var i = 0; i < 64; i++, value >>= 1) r = (r << 1) | (value & 1);
        return r;
    }

    /// <summary>The register as S3 sends it: big-endian, after the final XOR.</summary>
    public static byte[] Finish(ulong crc, int width)
    {
        var result = new byte[width / 8];
        if (width == 64) BinaryPrimitives.WriteUInt64BigEndian(result, ~crc);
        else BinaryPrimitives.WriteUInt32BigEndian(result, ~(uint)crc);
        return result;
    }
}
