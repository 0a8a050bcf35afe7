using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.AppHost.Seeding;
using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Aspire;

/// <summary>
/// The deployment contract: the proxy started with exactly the environment aspire-manifest.json
/// gives it, every expression resolved the way a deployment tool would, against two s3rvers
/// standing in for the two MinIOs (a counting relay in front of the "remote" one), the remote
/// seeded as the AppHost seeds it.
/// </summary>
public class ManifestContractTests
{
    private const string ProxySecret = "contract-test-secret-0123456789";

    [Fact]
    public async Task The_proxy_configured_by_the_manifest_fills_from_the_remote_once_then_serves_locally()
    {
        await using var local = await S3rverProcess.StartAsync();   // "minio"
        await using var remote = await S3rverProcess.StartAsync();  // "remote"
        await using var relay = await CountingRelay.StartAsync(remote.Url);
        await DemoObjects.SeedAsync($"Endpoint={remote.Url};AccessKey={S3rverProcess.AccessKey};SecretKey={S3rverProcess.SecretKey}");

        await using var proxy = await ProxyServer.StartAsync(ResolvedProxyEnvironment(local.Url, relay.Url));
        using var client = proxy.CreateClient(accessKey: "overlay", secretKey: ProxySecret);
        using var localClient = S3Clients.Create(local.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);

        // The settings the proxy made of that environment.
        var overlay = proxy.Services.GetRequiredService<OverlaySettings>();
        Assert.True(overlay.CacheEnabled);
        Assert.Equal(DemoObjects.RemoteBucket, overlay.Mapping.RemoteBucketOf(DemoObjects.LocalBucket));
        Assert.Equal((DemoObjects.ChunkThreshold, DemoObjects.ChunkSize), (overlay.ChunkThreshold, overlay.ChunkSize));

        // What the AppHost's WithHttpHealthCheck asks (it probes both stores, so the remote count starts after it).
        using (var health = await proxy.CreateHttpClient().GetAsync("_overlay/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        relay.ResetCounts();

        var hello = DemoObjects.All.First(o => o.Key == "hello.txt");
        Assert.Equal(hello.Text, await ReadTextAsync(client, hello.Key));
        Assert.Equal(1, relay.Requests("GET")); // the remote fill: one GET, nothing else
        Assert.Equal(1, relay.TotalRequests);

        // The fill leaves a copy in the "minio" stand-in, under the local bucket name (it may land just
        // after the client has its bytes); from then on a read is a local hit.
        await WaitUntilStoredAsync(localClient, DemoObjects.LocalBucket, hello.Key);
        relay.ResetCounts();
        Assert.Equal(hello.Text, await ReadTextAsync(client, hello.Key));
        Assert.Equal(0, relay.TotalRequests);

        // The large object goes through the chunk cache with the manifest's chunk settings: whole and
        // exact; once its chunk manifest is stored (written last), a second read asks the remote nothing.
        var large = DemoObjects.All.First(o => o.Key == DemoObjects.LargeKey);
        Assert.Equal(await DigestAsync(DemoObjects.OpenContent(large)), await DigestOfProxyReadAsync(client, large));
        Assert.True(relay.Requests("GET") >= 3, $"{relay.Requests("GET")} remote GETs for three chunks");
        await WaitUntilStoredAsync(localClient, overlay.CacheBucket, CacheKeys.Manifest(DemoObjects.RemoteBucket, large.Key));
        // The manifest is written with the first chunk stored; the read-ahead may still be storing the rest.
        await proxy.Services.GetRequiredService<OverlayParts>().Work.WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));
        relay.ResetCounts();
        Assert.Equal(await DigestAsync(DemoObjects.OpenContent(large)), await DigestOfProxyReadAsync(client, large));
        Assert.Equal(0, relay.TotalRequests);
    }

    private static async Task WaitUntilStoredAsync(Amazon.S3.AmazonS3Client store, string bucket, string key)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            try
            {
                await store.GetObjectMetadataAsync(bucket, key);
                return;
            }
            catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>
    /// The proxy's env from the manifest with every expression resolved: bindings to the stand-ins,
    /// parameters to their credentials. HTTP_PORTS is left out: the test server listens where it chooses.
    /// </summary>
    private static Dictionary<string, string?> ResolvedProxyEnvironment(string localUrl, string remoteUrl)
    {
        var manifest = AspireManifest.Load();
        var inputs = new Dictionary<string, string>
        {
            ["minio-user"] = S3rverProcess.AccessKey,
            ["minio-password"] = S3rverProcess.SecretKey,
            ["remote-user"] = S3rverProcess.AccessKey,
            ["remote-password"] = S3rverProcess.SecretKey,
            ["proxy-access-key"] = "overlay",
            ["proxy-secret-key"] = ProxySecret,
        };
        var bindings = new Dictionary<string, Uri> { ["minio.http"] = new(localUrl), ["remote.http"] = new(remoteUrl) };
        return manifest.EnvOf("proxy")
            .Where(e => e.Key != "HTTP_PORTS")
            .ToDictionary(e => e.Key, e => (string?)manifest.Resolve(e.Value, inputs, bindings));
    }

    private static async Task<string> ReadTextAsync(Amazon.S3.AmazonS3Client client, string key)
    {
        using var got = await client.GetObjectAsync(DemoObjects.LocalBucket, key);
        using var reader = new StreamReader(got.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    private static async Task<string> DigestOfProxyReadAsync(Amazon.S3.AmazonS3Client client, DemoObject item)
    {
        using var got = await client.GetObjectAsync(new GetObjectRequest { BucketName = DemoObjects.LocalBucket, Key = item.Key });
        Assert.Equal(HttpStatusCode.OK, got.HttpStatusCode);
        return await DigestAsync(got.ResponseStream);
    }

    private static async Task<string> DigestAsync(Stream stream)
    {
        await using (stream) return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }
}
