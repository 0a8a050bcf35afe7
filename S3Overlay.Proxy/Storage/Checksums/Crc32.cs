using System.Buffers.Binary;

namespace S3Overlay.Storage.Checksums;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as in <c>x-amz-checksum-crc32</c>.
/// Folded with carry-less multiplication where the CPU has it (<see cref="CrcFolding"/>), else
/// the classic table-driven form, sliced by 8 bytes because the SDK's default checksum runs over
/// every upload.
/// </summary>
internal sealed class Crc32 : IRunningChecksum
{
    private static readonly uint[][] Tables = BuildTables(0xEDB88320u);
    private static readonly CrcFolding Folding = new(32, 0xEDB88320u);
    private uint _crc = uint.MaxValue;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (CrcFolding.IsSupported)
        {
            _crc = (uint)Folding.Update(_crc, data);
            return;
        }
        var crc = _crc;
        var t = Tables;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7][low & 0xFF] ^ t[6][(low >> 8) & 0xFF] ^ t[5][(low >> 16) & 0xFF] ^ t[4][low >> 24]
                ^ t[3][high & 0xFF] ^ t[2][(high >> 8) & 0xFF] ^ t[1][(high >> 16) & 0xFF] ^ t[0][high >> 24];
            data = data[8..];
        }
        foreach (var b in data)
            crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
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

    private static uint[][] BuildTables(uint polynomial)
    {
        var tables = new uint[8][];
        tables[0] = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
            tables[0][i] = c;
        }
        for (var n = 1; n < 8; n++)
        {
            tables[n] = new uint[256];
            for (var i = 0; i < 256; i++)
                tables[n][i] = (tables[n - 1][i] >> 8) ^ tables[0][tables[n - 1][i] & 0xFF];
        }
        return tables;
    }
}
