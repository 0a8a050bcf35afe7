using S3Overlay.Storage.Checksums;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>A FULL_OBJECT multipart checksum is combined from the parts' CRCs: it must equal the CRC of all the bytes.</summary>
[UnitTests]
public class CrcCombineTests
{
    [Theory]
    [InlineData("crc32")]
    [InlineData("crc32c")]
    [InlineData("crc64nvme")]
    public void Combined_part_CRCs_equal_the_CRC_of_the_concatenated_bytes(string name)
    {
        var algorithm = ChecksumAlgorithm.Find(name)!;
        var random = new Random(7);
        // Lengths with odd bytes, an empty piece and one longer than a power of two.
        var pieces = new[] { 1, 0, 4097, 13, 70_001 }.Select(n => { var b = new byte[n]; random.NextBytes(b); return b; }).ToList();

        var combined = CrcCombine.Combine(algorithm, pieces.Select(p => (Convert.FromBase64String(algorithm.Compute(p)), (long)p.Length)));

        Assert.Equal(algorithm.Compute(pieces.SelectMany(p => p).ToArray()), Convert.ToBase64String(combined));
    }

    [Fact]
    public void Hashes_cannot_be_combined()
    {
        Assert.False(CrcCombine.Supports(ChecksumAlgorithm.Sha256));
        Assert.True(CrcCombine.Supports(ChecksumAlgorithm.Crc64Nvme));
    }
}
