using System.Security.Cryptography;
using Amazon.S3.Model;
using S3Overlay.AppHost.Seeding;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// The AppHost seeds the fake remote with <see cref="DemoObjects.SeedAsync"/> once that MinIO is healthy.
/// The same code runs here against s3rver, through a connection string in the form Aspire writes.
/// </summary>
public class DemoSeedingTests
{
    [Fact]
    public async Task Seeding_puts_every_demo_object_on_the_server_with_its_bytes_and_content_type()
    {
        await using var s3rver = await S3rverProcess.StartAsync();
        var connectionString = $"Endpoint={s3rver.Url};AccessKey={S3rverProcess.AccessKey};SecretKey={S3rverProcess.SecretKey}";

        await DemoObjects.SeedAsync(connectionString);
        await DemoObjects.SeedAsync(connectionString); // a restarted AppHost seeds again: harmless

        using var client = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = DemoObjects.RemoteBucket });
        Assert.Equal(DemoObjects.All.Select(o => (o.Key, o.Size)).Order(), listed.S3Objects.Select(o => (o.Key, o.Size ?? -1)).Order());

        foreach (var item in DemoObjects.All)
        {
            using var got = await client.GetObjectAsync(DemoObjects.RemoteBucket, item.Key);
            Assert.Equal(item.ContentType, got.Headers.ContentType);
            await using var expected = DemoObjects.OpenContent(item);
            Assert.Equal(await SHA256.HashDataAsync(expected), await SHA256.HashDataAsync(got.ResponseStream));
        }
    }

    [Fact]
    public void The_pattern_differs_between_chunks_so_a_misplaced_chunk_is_seen()
    {
        static byte[] Block(long start) => Enumerable.Range(0, 4096).Select(i => PatternStream.ByteAt(start + i)).ToArray();
        Assert.NotEqual(Block(0), Block(DemoObjects.ChunkSize));
        Assert.NotEqual(Block(DemoObjects.ChunkSize), Block(2 * DemoObjects.ChunkSize));

        using var stream = new PatternStream(DemoObjects.LargeSize);
        stream.Seek(DemoObjects.ChunkSize, SeekOrigin.Begin);
        var buffer = new byte[4096];
        stream.ReadExactly(buffer);
        Assert.Equal(Block(DemoObjects.ChunkSize), buffer);
    }
}
