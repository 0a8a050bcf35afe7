using System.Text;
using S3Overlay.Storage.Checksums;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

[UnitTests]
public class ChecksumTests
{
    // The CRC catalogue's check values: the checksum of the ASCII bytes "123456789".
    [Theory]
    [InlineData("crc32", "CBF43926")]
    [InlineData("crc32c", "E3069283")]
    [InlineData("crc64nvme", "AE8B14860A799888")]
    [InlineData("sha1", "F7C3BC1D808E04732ADF679965CCC34CA7AE3441")]
    public void Known_answers(string algorithm, string hex)
    {
        var value = ChecksumAlgorithm.Find(algorithm)!.Compute("123456789"u8);
        Assert.Equal(hex, Convert.ToHexString(Convert.FromBase64String(value)));
    }

    [Fact]
    public void Empty_input_has_the_empty_checksums()
    {
        Assert.Equal("AAAAAA==", ChecksumAlgorithm.Crc32.Compute([]));
        Assert.Equal("AAAAAA==", ChecksumAlgorithm.Crc32C.Compute([]));
    }

    [Theory]
    [InlineData("crc32", 0xEDB88320u)]
    [InlineData("crc32c", 0x82F63B78u)]
    public void Sliced_and_split_input_matches_the_bitwise_definition(string algorithm, uint polynomial)
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var expected = Bitwise(data, polynomial);
        foreach (var split in new[] { 0, 1, 3, 7, 8, 9, 500, 999, 1000 })
        {
            using var running = ChecksumAlgorithm.Find(algorithm)!.Create();
            running.Append(data.AsSpan(0, split));
            running.Append(data.AsSpan(split));
            Assert.Equal(expected, Convert.ToHexString(running.Finish()));
        }
    }

    [Fact]
    public void Finish_resets_for_the_next_value()
    {
        using var crc = ChecksumAlgorithm.Crc32.Create();
        crc.Append(Encoding.ASCII.GetBytes("123456789"));
        crc.Finish();
        crc.Append(Encoding.ASCII.GetBytes("123456789"));
        Assert.Equal("CBF43926", Convert.ToHexString(crc.Finish()));
    }

    /// <summary>
    /// The folded form (carry-less multiplication, 64 bytes a step) against the bit-by-bit
    /// definition: every length around the fold's 16- and 64-byte steps, pieces of any size
    /// (a fill appends what each read brings), and a body the size of a fill.
    /// </summary>
    [Theory]
    [InlineData("crc32", 0xEDB88320ul, 32)]
    [InlineData("crc64nvme", 0x9A6C9329AC4BC9B5ul, 64)]
    public void Folded_input_matches_the_bitwise_definition(string algorithm, ulong polynomial, int width)
    {
        var data = new byte[70_000];
        new Random(11).NextBytes(data);
        foreach (var length in Enumerable.Range(0, 300).Concat([1023, 1024, 4096, 65_537, 70_000]))
        {
            var expected = Bitwise(data.AsSpan(0, length), polynomial, width);
            using var whole = ChecksumAlgorithm.Find(algorithm)!.Create();
            whole.Append(data.AsSpan(0, length));
            Assert.Equal(expected, Convert.ToHexString(whole.Finish()));
            var split = length * 7 / 11;
            using var pieces = ChecksumAlgorithm.Find(algorithm)!.Create();
            pieces.Append(data.AsSpan(0, split));
            pieces.Append(data.AsSpan(split, length - split));
            Assert.Equal(expected, Convert.ToHexString(pieces.Finish()));
        }
    }

    private static string Bitwise(ReadOnlySpan<byte> data, ulong polynomial, int width)
    {
        var crc = width == 64 ? ulong.MaxValue : uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
        }
        return width == 64 ? (~crc).ToString("X16") : ((uint)~crc).ToString("X8");
    }

    private static string Bitwise(byte[] data, uint polynomial)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
        }
        return (~crc).ToString("X8");
    }
}
