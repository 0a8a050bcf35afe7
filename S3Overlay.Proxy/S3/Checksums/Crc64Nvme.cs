using System.Buffers.Binary;

namespace S3Overlay.S3.Checksums;

/// <summary>
/// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), as in <c>x-amz-checksum-crc64nvme</c>,
/// which newer SDKs and S3 itself use as the default full-object checksum.
/// </summary>
public sealed class Crc64Nvme : IRunningChecksum
{
    private static readonly ulong[] Table = BuildTable(0x9A6C9329AC4BC9B5ul);
    private ulong _crc = ulong.MaxValue;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    public byte[] Finish()
    {
        var result = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(result, ~_crc);
        _crc = ulong.MaxValue;
        return result;
    }

    public void Dispose() { }

    private static ulong[] BuildTable(ulong polynomial)
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
