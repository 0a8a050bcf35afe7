using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A bucket only the remote has is one the overlay shows (HEAD, GET, listings): a client's write
/// into it is stored locally, the bucket made as a fill would make it, and the remote is never
/// written. A PUT or a multipart upload there is never NoSuchBucket for want of a read that
/// filled an object into it first.
/// </summary>
[FunctionalTests]
public sealed class RemoteOnlyBucketWriteTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Theory]
    [InlineData(LocalStoreKind.Embedded)]
    [InlineData(LocalStoreKind.S3)]
    [InlineData(LocalStoreKind.Rgw)]
    public async Task A_first_write_into_a_bucket_only_the_remote_has_is_stored_locally(LocalStoreKind kind)
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, kind);
        await env.Client.GetBucketLocationAsync(env.Bucket); // the bucket is there, as the remote has it

        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "put.txt", ContentBody = "written here" });
        var upload = await env.Client.InitiateMultipartUploadAsync(env.Bucket, "parts.bin");
        var part = await env.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = env.Bucket, Key = "parts.bin", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream("one part"u8.ToArray()),
        });
        await env.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = env.Bucket, Key = "parts.bin", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        });

        using (var put = await env.Client.GetObjectAsync(env.Bucket, "put.txt"))
            Assert.Equal("written here", await new StreamReader(put.ResponseStream).ReadToEndAsync());
        Assert.True(await env.IsStoredLocallyAsync("put.txt"));
        Assert.True(await env.IsStoredLocallyAsync("parts.bin"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("POST"));
    }
}
