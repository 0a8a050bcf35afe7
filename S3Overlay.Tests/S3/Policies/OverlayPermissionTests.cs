using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Browser;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>
/// The overlay with users: a read-only user's GET of a remote-only object fills the cache (the
/// server's write, not the user's), and it still may not write; the browser's warm and evict
/// buttons are for users the admin API lets in.
/// </summary>
[FunctionalTests]
public sealed class OverlayPermissionTests(OverlayPermissionTests.Servers s) : IClassFixture<OverlayPermissionTests.Servers>
{
    /// <summary>An s3rver remote with a bucket "shelf", and a caching proxy in front with root, a readonly and a readwrite user.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public S3rverProcess Remote { get; private set; } = null!;
        public AmazonS3Client Backend { get; private set; } = null!;
        public ProxyServer Proxy { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Remote = await S3rverProcess.StartAsync();
            Backend = S3Clients.Create(Remote.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
            await Backend.PutBucketAsync("shelf");
            Proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            {
                ["S3_OVERLAY_REMOTE_ENDPOINT"] = Remote.Url,
                ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
                ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
                ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
                ["S3_OVERLAY_CACHE_ENABLED"] = "true",
                ["S3_OVERLAY_REMOTE_BUCKETS"] = "*",
                ["S3_OVERLAY_ACCESS_KEY"] = "root", ["S3_OVERLAY_SECRET_KEY"] = "root-secret",
                ["Overlay:Users:0:AccessKey"] = "reader", ["Overlay:Users:0:SecretKey"] = "reader-secret", ["Overlay:Users:0:Policy"] = "readonly",
                ["Overlay:Users:1:AccessKey"] = "writer", ["Overlay:Users:1:SecretKey"] = "writer-secret", ["Overlay:Users:1:Policy"] = "readwrite",
            });
        }

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            Backend.Dispose();
            await Remote.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_read_only_user_s_read_fills_the_cache_as_anyone_s()
    {
        await s.Backend.PutObjectAsync(new PutObjectRequest { BucketName = "shelf", Key = "book.txt", ContentBody = "remote words", UseChunkEncoding = false });
        using var reader = s.Proxy.CreateClient(defaults: false, accessKey: "reader", secretKey: "reader-secret");

        using (var get = await reader.GetObjectAsync("shelf", "book.txt"))
            Assert.Equal("remote words", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        await s.Backend.DeleteObjectAsync("shelf", "book.txt");
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

    [Fact]
    public async Task The_browser_offers_warm_and_evict_only_to_users_the_admin_API_lets_in()
    {
        await s.Backend.PutObjectAsync(new PutObjectRequest { BucketName = "shelf", Key = "maps/north.txt", ContentBody = "north", UseChunkEncoding = false });
        async Task<string> PageAsync(string user, string query)
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = BrowserFixture.Basic(user, user + "-secret");
            return await http.GetStringAsync($"{s.Proxy.Url}/_overlay/browse/shelf/?{query}");
        }

        // The buttons themselves ("data-warm>"): the page's script names them too.
        foreach (var query in new[] { "prefix=maps%2F", "key=maps%2Fnorth.txt" })
        {
            var root = await PageAsync("root", query);
            Assert.Contains("data-warm>", root);
            Assert.Contains("data-evict>", root);
            // A readwrite user may upload and delete, but the admin API answers it 403: no buttons that cannot work.
            var writer = await PageAsync("writer", query);
            Assert.Contains("north", writer);
            Assert.Contains(query.StartsWith("prefix") ? "Upload files" : "data-delete", writer);
            Assert.DoesNotContain("data-warm>", writer);
            Assert.DoesNotContain("data-evict>", writer);
            Assert.DoesNotContain("data-whiteouts>", writer);
            Assert.DoesNotContain("data-warm>", await PageAsync("reader", query));
        }
        // The folder page still says how much of it is cached, to every reader.
        Assert.Contains("data-cached-bytes", await PageAsync("writer", "prefix=maps%2F"));
    }
}
