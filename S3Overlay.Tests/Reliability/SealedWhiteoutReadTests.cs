using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Found by the reliability load: in a bucket the remote backs, a GET with SSE-C headers of a key whose SSE-C
/// object was deleted (the load's were expired by lifecycle; a client's DELETE leaves the same
/// whiteout) answered <c>400 InvalidRequest</c> ("The encryption parameters are not applicable to this
/// object": the whiteout is stored in the clear), where S3 answers <c>404 NoSuchKey</c> for a key that
/// is not there, whatever the headers.
/// </summary>
[ReliabilityTests]
public sealed class SealedWhiteoutReadTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task A_deleted_key_read_with_SSE_C_headers_is_404_NoSuchKey()
    {
        var root = Directory.CreateTempSubdirectory("s3overlay-sealed-whiteout-").FullName;
        var remoteBucket = "whiteout" + Guid.NewGuid().ToString("N")[..8];
        await servers.RemoteClient.PutBucketAsync(remoteBucket);
        try
        {
            await using var proxy = await ProxyProcess.StartAsync(ChildProxySettings.Overlay(root, servers.Remote.Url, "sealed", remoteBucket));
            using var s3 = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await s3.PutBucketAsync("sealed");
            var put = new PutObjectRequest { BucketName = "sealed", Key = "k", InputStream = PatternData.Open(1000, 1) };
            LoadEncryption.Seal(put, LoadSealing.SseC, 0);
            await s3.PutObjectAsync(put);
            await s3.DeleteObjectAsync("sealed", "k");

            var get = new GetObjectRequest { BucketName = "sealed", Key = "k" };
            LoadEncryption.Unseal(get, LoadSealing.SseC, 0);
            var gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(get));
            Assert.Equal((HttpStatusCode.NotFound, "NoSuchKey"), (gone.StatusCode, gone.ErrorCode));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
