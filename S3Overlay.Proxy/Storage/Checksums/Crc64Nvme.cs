namespace S3Overlay.Storage.Checksums;

/// <summary>
/// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), as in <c>x-amz-checksum-crc64nvme</c>,
/// which newer SDKs and S3 itself use as the default full-object checksum (S3 adds one to every
/// new object), so the overlay verifies fills by it: folded with carry-less multiplication
/// (<see cref="CrcFolding"/>).
/// </summary>
internal sealed class Crc64Nvme : IRunningChecksum
{
    private static readonly CrcFolding Crc = new(64, 0x9A6C9329AC4BC9B5ul);
    private ulong _crc = ulong.MaxValue;

    public void Append(ReadOnlySpan<byte> data) => _crc = Crc.Update(_crc, data);

    public byte[] Finish()
    {
        var result = CrcFolding.Finish(_crc, 64);
        _crc = ulong.MaxValue;
        return result;
    }

    public void Dispose() { }
}
