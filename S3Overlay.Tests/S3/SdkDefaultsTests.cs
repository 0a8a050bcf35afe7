using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// The same operations with the SDK's defaults: aws-chunked signed bodies with CRC32 trailers on
/// PUT, checksum validation on GET. The other tests send plain bodies.
/// </summary>
[FunctionalTests]
public sealed class SdkDefaultsTests(S3Fixture s3) : IClassFixture<S3Fixture>, IDisposable
{
    private readonly AmazonS3Client _client = s3.Proxy.CreateClient(defaults: true);

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(70_000)]
    [InlineData(1_000_003)]
    public async Task Chunked_put_then_validated_get_round_trips(int size)
    {
        var bucket = await s3.NewBucketAsync();
        var body = S3Fixture.Pattern(size);
        var put = await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = "dir/chunked ü+.bin", InputStream = new MemoryStream(body),
            ContentType = "application/x-test", Metadata = { ["origin"] = "sdk-defaults" },
        });
        Assert.Equal('"' + Convert.ToHexStringLower(MD5.HashData(body)) + '"', put.ETag);

        using var get = await _client.GetObjectAsync(bucket, "dir/chunked ü+.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
        Assert.Equal(size, get.ContentLength);
        Assert.Equal("application/x-test", get.Headers.ContentType);
        Assert.Equal("sdk-defaults", get.Metadata["origin"]);
        Assert.Null(get.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Copy_delete_objects_and_listing_work_with_defaults()
    {
        var bucket = await s3.NewBucketAsync();
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "src", ContentBody = "copied bytes" });
        await _client.CopyObjectAsync(bucket, "src", bucket, "dst");
        Assert.Equal("copied bytes", await s3.GetTextAsync(bucket, "dst"));

        var listed = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["dst", "src"], listed.S3Objects.Select(o => o.Key));

        var deleted = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket, Objects = [new KeyVersion { Key = "src" }, new KeyVersion { Key = "dst" }],
        });
        Assert.Equal(2, deleted.DeletedObjects.Count);
        Assert.Empty((await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }
}
