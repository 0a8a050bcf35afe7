using System.Security.Cryptography;
using Amazon.S3.Model;
using S3Overlay.AppHost.Seeding;

namespace S3Overlay.AppHost.Tests;

/// <summary>
/// What a user of the AppHost sees: the proxy answers S3 between a local MinIO and a seeded remote
/// MinIO. The proxy client keeps the AWS SDK's defaults (aws-chunked uploads with CRC32 trailers),
/// which the proxy accepts.
/// </summary>
public class ProxyThroughAspireTests(OverlayApp overlay) : IClassFixture<OverlayApp>
{
    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_object_put_through_the_proxy_reads_back_byte_for_byte()
    {
        Assert.SkipUnless(overlay.SkipReason is null, overlay.SkipReason ?? "");
        const string bucket = "apphost-roundtrip";
        var body = "written through the proxy into the local MinIO\n"u8.ToArray();

        await overlay.Proxy.PutBucketAsync(bucket, Cancellation);
        await overlay.Proxy.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a/b.txt", InputStream = new MemoryStream(body) }, Cancellation);
        using var got = await overlay.Proxy.GetObjectAsync(bucket, "a/b.txt", Cancellation);

        Assert.Equal(body, await ReadAllAsync(got.ResponseStream));
        // The local store behind the proxy is the "minio" container: the object is there.
        using var minio = await overlay.MinioAsync("minio", Cancellation);
        using var stored = await minio.GetObjectAsync(bucket, "a/b.txt", Cancellation);
        Assert.Equal(body, await ReadAllAsync(stored.ResponseStream));
    }

    [Fact]
    public async Task A_seeded_object_is_filled_from_the_remote_and_then_served_locally()
    {
        Assert.SkipUnless(overlay.SkipReason is null, overlay.SkipReason ?? "");
        var item = DemoObjects.All.First(o => o.Key == "hello.txt");

        // First read: a remote fill through the bucket mapping demo -> demo-origin.
        using (var first = await overlay.Proxy.GetObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation))
            Assert.Equal(item.Text, System.Text.Encoding.UTF8.GetString(await ReadAllAsync(first.ResponseStream)));

        // Caching is on: the fill leaves a copy in the local MinIO (it may land just after the client has its bytes).
        using var minio = await overlay.MinioAsync("minio", Cancellation);
        await WaitUntilStoredAsync(minio, DemoObjects.LocalBucket, item.Key);
        using (var cached = await minio.GetObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation))
            Assert.Equal(item.Text, System.Text.Encoding.UTF8.GetString(await ReadAllAsync(cached.ResponseStream)));

        // Second read with the remote's copy gone: only a local hit can still answer it.
        using var remote = await overlay.MinioAsync("remote", Cancellation);
        await remote.DeleteObjectAsync(DemoObjects.RemoteBucket, item.Key, Cancellation);
        using var second = await overlay.Proxy.GetObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation);
        Assert.Equal(item.Text, System.Text.Encoding.UTF8.GetString(await ReadAllAsync(second.ResponseStream)));
    }

    [Fact]
    public async Task The_large_seeded_object_comes_whole_through_the_chunk_cache()
    {
        Assert.SkipUnless(overlay.SkipReason is null, overlay.SkipReason ?? "");
        var item = DemoObjects.All.First(o => o.Key == DemoObjects.LargeKey);

        using var got = await overlay.Proxy.GetObjectAsync(DemoObjects.LocalBucket, item.Key, Cancellation);

        Assert.Equal(HttpStatusCode.OK, got.HttpStatusCode);
        Assert.Equal(item.Size, got.ContentLength);
        await using var expected = DemoObjects.OpenContent(item);
        Assert.Equal(await SHA256.HashDataAsync(expected, Cancellation), await SHA256.HashDataAsync(got.ResponseStream, Cancellation));
    }

    private async Task WaitUntilStoredAsync(Amazon.S3.AmazonS3Client store, string bucket, string key)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50, Cancellation))
        {
            try
            {
                await store.GetObjectMetadataAsync(bucket, key, Cancellation);
                return;
            }
            catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
            {
            }
        }
    }

    private async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Cancellation);
        return buffer.ToArray();
    }
}
