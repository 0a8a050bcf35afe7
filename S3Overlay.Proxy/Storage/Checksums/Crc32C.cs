using System.Buffers.Binary;
using System.Numerics;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// CRC-32C (Castagnoli), as in <c>x-amz-checksum-crc32c</c>. BitOperations.Crc32C uses the CPU's
/// crc32 instruction where there is one (SSE4.2, ARMv8) and a table otherwise.
/// </summary>
internal sealed class Crc32C : IRunningChecksum
{
    private uint _crc = uint.MaxValue;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        _crc = crc;
    }

    public byte[] Finish()
    {
        var result = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(result, ~_crc);
        _crc = uint.MaxValue;
        return result;
    }

    public void Dispose() { }
}
