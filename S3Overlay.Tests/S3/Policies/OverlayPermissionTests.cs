using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>The overlay with users: a read-only user's GET of a remote-only object fills the cache (the server's write, not the user's), and it still may not write.</summary>
public sealed class OverlayPermissionTests
{
    [Fact]
    public async Task A_read_only_user_s_read_fills_the_cache_as_anyone_s()
    {
        await using var remote = await S3rverProcess.StartAsync();
        using var backend = S3Clients.Create(remote.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        await backend.PutBucketAsync("shelf");
        await backend.PutObjectAsync(new PutObjectRequest { BucketName = "shelf", Key = "book.txt", ContentBody = "remote words", UseChunkEncoding = false });
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = remote.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_CACHE_ENABLED"] = "true",
            ["S3_OVERLAY_REMOTE_BUCKETS"] = "*",
            ["S3_OVERLAY_ACCESS_KEY"] = "root", ["S3_OVERLAY_SECRET_KEY"] = "root-secret",
            ["Overlay:Users:0:AccessKey"] = "reader", ["Overlay:Users:0:SecretKey"] = "reader-secret", ["Overlay:Users:0:Policy"] = "readonly",
        });
        using var reader = proxy.CreateClient(defaults: false, accessKey: "reader", secretKey: "reader-secret");

        using (var get = await reader.GetObjectAsync("shelf", "book.txt"))
            Assert.Equal("remote words", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        await backend.DeleteObjectAsync("shelf", "book.txt");
        // The remote no longer has it: the second read is the cache's.
        await EventuallyAsync(async () =>
        {
            try
            {
                using var again = await reader.GetObjectAsync("shelf", "book.txt");
                return await new StreamReader(again.ResponseStream).ReadToEndAsync() == "remote words";
            }
            catch (AmazonS3Exception) { return false; }
        }, "the reader's GET left the object in the cache");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => reader.PutObjectAsync(new PutObjectRequest { BucketName = "shelf", Key = "mine.txt", ContentBody = "x" }));
        Assert.Equal("AccessDenied", e.ErrorCode);
    }
}
