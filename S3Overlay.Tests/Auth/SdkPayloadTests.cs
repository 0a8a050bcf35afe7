using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using Checksums = S3Overlay.Storage.Checksums;

namespace S3Overlay.Tests.Auth;

/// <summary>
/// AWSSDK.S3 as users run it: with its default checksum settings it sends signed aws-chunked
/// bodies with CRC32 trailers; with WHEN_REQUIRED, single-chunk signed bodies.
/// </summary>
[FunctionalTests]
public class SdkPayloadTests
{
    // Over three of the SDK's 80 KiB chunks, ending mid-chunk.
    private static readonly byte[] Body = Enumerable.Range(0, 200_001).Select(i => (byte)(i * 31 + i / 256)).ToArray();

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Put_then_get_returns_the_same_bytes(bool sdkDefaults, bool chunked)
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient(defaults: sdkDefaults);
        await client.PutBucketAsync("payloads");
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "payloads", Key = "dir/object one.bin", InputStream = new MemoryStream(Body), UseChunkEncoding = chunked,
            ContentType = "application/x-test",
        });

        using var get = await client.GetObjectAsync("payloads", "dir/object one.bin");
        var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(Body, copy.ToArray());
        Assert.Equal(Body.Length, get.ContentLength);
        Assert.Equal("application/x-test", get.Headers.ContentType);
        Assert.Null(get.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Empty_and_one_byte_objects_survive_the_chunked_encoding()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("small");
        foreach (var size in new[] { 0, 1 })
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = "small", Key = $"k{size}", InputStream = new MemoryStream(Body[..size]) });
            using var get = await client.GetObjectAsync("small", $"k{size}");
            var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            Assert.Equal(Body[..size], copy.ToArray());
        }
    }

    [Theory]
    // CRC32C needs the SDK's native CRT package on the client side; ChecksumHeaderTests sends it raw.
    [InlineData("CRC32")]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    public async Task Checksums_sent_with_a_put_are_returned_when_asked_for(string algorithm)
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("sums");
        var put = await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "sums", Key = "k", InputStream = new MemoryStream(Body), ChecksumAlgorithm = new Amazon.S3.ChecksumAlgorithm(algorithm),
        });
        var expected = Checksums.ChecksumAlgorithm.Find(algorithm)!.Compute(Body);

        var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "sums", Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(expected, ChecksumOf(head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumSHA1, head.ChecksumSHA256, algorithm));

        using var get = await client.GetObjectAsync(new GetObjectRequest { BucketName = "sums", Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(expected, ChecksumOf(get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumSHA1, get.ChecksumSHA256, algorithm));
        await get.ResponseStream.CopyToAsync(Stream.Null);

        // Without x-amz-checksum-mode there are none; a ranged read has none (they describe the whole object).
        using var plainClient = proxy.CreateClient(defaults: false);
        var plain = await plainClient.GetObjectMetadataAsync("sums", "k");
        Assert.Null(ChecksumOf(plain.ChecksumCRC32, plain.ChecksumCRC32C, plain.ChecksumSHA1, plain.ChecksumSHA256, algorithm));
        using var ranged = await client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = "sums", Key = "k", ChecksumMode = ChecksumMode.ENABLED, ByteRange = new ByteRange(0, 9),
        });
        Assert.Null(ChecksumOf(ranged.ChecksumCRC32, ranged.ChecksumCRC32C, ranged.ChecksumSHA1, ranged.ChecksumSHA256, algorithm));
    }

    private static string? ChecksumOf(string? crc32, string? crc32c, string? sha1, string? sha256, string algorithm) => algorithm switch
    {
        "CRC32" => crc32,
        "CRC32C" => crc32c,
        "SHA1" => sha1,
        _ => sha256,
    } is { Length: > 0 } value ? value : null;
}
