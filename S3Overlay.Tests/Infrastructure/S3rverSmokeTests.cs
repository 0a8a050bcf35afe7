using Amazon.S3.Model;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// The fixture itself works: a real s3rver answers a real SDK client. Note UseChunkEncoding = false:
/// over plain HTTP the SDK otherwise sends aws-chunked signed bodies, which s3rver stores verbatim.
/// </summary>
[FunctionalTests]
public class S3rverSmokeTests
{
    [Fact]
    public async Task S3rver_stores_and_returns_an_object()
    {
        await using var s3rver = await S3rverProcess.StartAsync();
        using var client = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        await client.PutBucketAsync("smoke");
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "smoke", Key = "a/b.txt", ContentBody = "hello", UseChunkEncoding = false });
        using var got = await client.GetObjectAsync("smoke", "a/b.txt");
        using var reader = new StreamReader(got.ResponseStream);
        Assert.Equal("hello", await reader.ReadToEndAsync());
    }
}
