using System.Net;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class AddressingTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Virtual_host_style_reaches_the_bucket_named_by_the_host()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_BASE_DOMAIN"] = "s3.example.test" });
        void Host(HttpRequestMessage r) => r.Headers.Host = "vhost-bucket.s3.example.test";

        using var create = await RawS3.SendAsync(proxy, HttpMethod.Put, "/", configure: Host);
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        using var put = await RawS3.SendAsync(proxy, HttpMethod.Put, "/dir/hello%20world.txt", "virtual", Host);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var get = await RawS3.SendAsync(proxy, HttpMethod.Get, "/dir/hello%20world.txt", configure: Host);
        Assert.Equal("virtual", await get.Content.ReadAsStringAsync());
        using var list = await RawS3.SendAsync(proxy, HttpMethod.Get, "/?list-type=2", configure: Host);
        var root = await RawS3.XmlAsync(list);
        Assert.Equal("vhost-bucket", root.First("Name"));
        Assert.Equal("dir/hello world.txt", root.First("Key"));

        // The same object, path style, on the same server.
        using var pathStyle = await RawS3.SendAsync(proxy, HttpMethod.Get, "/vhost-bucket/dir/hello%20world.txt");
        Assert.Equal("virtual", await pathStyle.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Path_traversal_attempts_are_keys_or_S3_errors_and_nothing_leaves_the_data_folder()
    {
        var parent = Directory.CreateTempSubdirectory("s3overlay-traversal-").FullName;
        try
        {
            var secret = Path.Combine(parent, "secret.txt");
            await File.WriteAllTextAsync(secret, "top secret");
            var dataDir = Path.Combine(parent, "data");
            Directory.CreateDirectory(dataDir);
            await using var proxy = await ProxyServer.StartAsync(dataDir: dataDir);
            using var client = proxy.CreateClient(defaults: false);
            await client.PutBucketAsync("jail");

            // Below a bucket, dots and slashes are part of the key, as in S3: stored as that key inside the bucket.
            (string Target, string Key)[] keys =
            [
                ("/jail/../x", "../x"), ("/jail/../../secret.txt", "../../secret.txt"), ("/jail/%2e%2e/x", "../x"),
                ("/jail/%2E%2E/%2e%2e/secret.txt", "../../secret.txt"), ("/jail/a%2F..%2F..%2Fx", "a/../../x"),
                ("/jail/..%2F..%2Fsecret.txt", "../../secret.txt"), ("/jail/a/./b", "a/./b"), ("/jail//etc", "/etc"),
            ];
            foreach (var (target, _) in keys)
            {
                using var put = await RawS3.SendAsync(proxy, HttpMethod.Put, target, "evil-payload");
                Assert.True(put.IsSuccessStatusCode, $"PUT {target}: {(int)put.StatusCode}");
                using var get = await RawS3.SendAsync(proxy, HttpMethod.Get, target);
                Assert.Equal("evil-payload", await get.Content.ReadAsStringAsync());
            }
            var listed = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "jail" });
            Assert.Equal(keys.Select(k => k.Key).Distinct().Order(StringComparer.Ordinal), listed.S3Objects.Select(o => o.Key));

            // A bucket name that is a path is refused.
            foreach (var target in new[] { "/%2e%2e/secret.txt", "/..%2Fdata/x", "/../secret.txt", "/./jail/x" })
            {
                using var put = await RawS3.SendAsync(proxy, HttpMethod.Put, target, "evil-payload");
                await AssertRefusedAsync(put, target);
                using var get = await RawS3.SendAsync(proxy, HttpMethod.Get, target);
                var body = await get.Content.ReadAsStringAsync();
                Assert.DoesNotContain("top secret", body);
                Assert.True((int)get.StatusCode is >= 400 and < 500, $"GET {target}: {(int)get.StatusCode} {body}");
            }

            Assert.Equal("top secret", await File.ReadAllTextAsync(secret));
            Assert.Equal([dataDir, secret], Directory.GetFileSystemEntries(parent).Order());
            // The payload is only in the store's area for the jail's keys (none of them can be a plain file).
            var jailArea = Path.Combine(dataDir, ".s3overlay", "keys", "jail") + Path.DirectorySeparatorChar;
            foreach (var file in Directory.EnumerateFiles(parent, "*", SearchOption.AllDirectories))
                if (await File.ReadAllTextAsync(file) == "evil-payload") Assert.StartsWith(jailArea, file);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string target)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"PUT {target}: {(int)response.StatusCode} {body}");
        Assert.Contains(await RawS3.ErrorCodeAsync(response), new[] { "InvalidObjectName", "InvalidBucketName", "InvalidURI" });
    }

    [Theory]
    [InlineData("PUT", "?logging")]
    [InlineData("PUT", "?website")]
    [InlineData("GET", "?replication")]
    [InlineData("PUT", "/key?restore")]
    public async Task Unknown_sub_resources_are_NotImplemented(string method, string suffix)
    {
        var bucket = await s3.NewBucketAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, new HttpMethod(method), $"/{bucket}{suffix}", "x");
        await RawS3.AssertErrorAsync(response, 501, "NotImplemented");
    }

    [Fact]
    public async Task Every_response_carries_a_distinct_request_id()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "k", "v");
        var ids = new List<string>();
        foreach (var (method, target) in new[] { ("GET", "/"), ("GET", $"/{bucket}/k"), ("HEAD", $"/{bucket}/missing"), ("PUT", "/Bad_Name"), ("GET", $"/{bucket}?acl"), ("DELETE", $"/{bucket}/k") })
        {
            using var response = await RawS3.SendAsync(s3.Proxy, new HttpMethod(method), target);
            Assert.True(response.Headers.TryGetValues("x-amz-request-id", out var values), $"{method} {target} has no x-amz-request-id");
            ids.Add(values!.Single());
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Error_bodies_are_S3_xml_naming_the_resource()
    {
        var bucket = await s3.NewBucketAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/no/such%20key");
        await RawS3.AssertErrorAsync(response, 404, "NoSuchKey");
        var root = await RawS3.XmlAsync(response);
        Assert.Equal("no/such key", root.First("Key"));
        Assert.Equal(response.Headers.GetValues("x-amz-request-id").Single(), root.First("RequestId"));
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
    }
}
