using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Telemetry;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Storage.S3;

namespace S3Overlay.Tests.Storage;

/// <summary>The whole proxy with an S3 server (s3rver) as its local store, driven by AWSSDK.S3 over loopback.</summary>
[FunctionalTests]
public class S3LocalStoreTests
{
    private static Dictionary<string, string?> LocalEndpoint(string url) => S3rverProcess.UserAt(url).AsLocalStore();

    [Fact]
    public async Task Objects_written_through_the_proxy_land_in_the_S3_server_and_read_back()
    {
        var s3rver = await SharedS3rver.Local.GetAsync();
        var bucket = "through-" + Guid.NewGuid().ToString("N")[..8]; // the run's shared s3rver: a bucket of its own
        await using var proxy = await ProxyServer.StartAsync(LocalEndpoint(s3rver.Url));
        using var client = proxy.CreateClient();   // the SDK's defaults: aws-chunked bodies with CRC32 trailers
        using var direct = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        var data = new byte[2 * 1024 * 1024 + 7];
        Random.Shared.NextBytes(data);

        await client.PutBucketAsync(bucket);
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = "dir/blob.bin", InputStream = new MemoryStream(data), ContentType = "application/x-test",
            Metadata = { ["color"] = "blue" },
        });
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/small.txt", ContentBody = "hello" });

        // In the S3 server itself, byte for byte, with the metadata and no reserved keys showing.
        using (var stored = await direct.GetObjectAsync(bucket, "dir/blob.bin"))
        {
            Assert.Equal(data, await ReadAsync(stored.ResponseStream));
            Assert.Equal("application/x-test", stored.Headers.ContentType);
            Assert.Equal("blue", stored.Metadata["color"]);
        }

        // And through the proxy: whole, ranged, listed.
        using (var whole = await client.GetObjectAsync(bucket, "dir/blob.bin"))
        {
            Assert.Equal(data, await ReadAsync(whole.ResponseStream));
            Assert.Equal("blue", whole.Metadata["color"]);
        }
        using (var ranged = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "dir/blob.bin", ByteRange = new ByteRange(1_000_000, 1_000_099) }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, ranged.HttpStatusCode);
            Assert.Equal(data[1_000_000..1_000_100], await ReadAsync(ranged.ResponseStream));
        }
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
        Assert.Equal(["dir/"], listed.CommonPrefixes);
        var inside = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "dir/" });
        Assert.Equal(["dir/blob.bin", "dir/small.txt"], inside.S3Objects.Select(o => o.Key));
        Assert.Equal([(long)data.Length, 5L], inside.S3Objects.Select(o => o.Size ?? -1));

        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(bucket, "dir/none"));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Contains(bucket, (await direct.ListBucketsAsync()).Buckets!.Select(b => b.BucketName));
    }

    [Fact]
    public async Task An_unreachable_local_store_stops_start_up_naming_it()
    {
        var closedPort = ClosedPort();
        var e = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(LocalEndpoint($"http://127.0.0.1:{closedPort}")));
        Assert.Contains("S3_OVERLAY_LOCAL_ENDPOINT", e.Message);
        Assert.Contains($"http://127.0.0.1:{closedPort}", e.Message);
        Assert.Contains("could not be reached", e.Message);
    }

    [Fact]
    public async Task A_local_store_that_goes_away_later_gives_503_S3_errors_and_an_unhealthy_health_check()
    {
        var s3rver = await S3rverProcess.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyServer.StartAsync(LocalEndpoint(s3rver.Url), b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = proxy.CreateClient();
        using var http = proxy.CreateHttpClient();
        await client.PutBucketAsync("fleeting");
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "fleeting", Key = "k", ContentBody = "v" });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/health")).StatusCode);

        await s3rver.DisposeAsync();

        var get = await http.GetAsync("fleeting/k");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        var body = await get.Content.ReadAsStringAsync();
        Assert.Contains("<Code>ServiceUnavailable</Code>", body);
        Assert.Contains(s3rver.Url, body);
        var sdk = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(new PutObjectRequest { BucketName = "fleeting", Key = "k2", ContentBody = "v" }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, sdk.StatusCode);

        clock.Advance(StorageHealthCheck.ReuseFor); // past the healthy answer the check may reuse
        var health = await http.GetAsync("_overlay/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_Aspire_connection_string_configures_the_local_store()
    {
        var s3rver = await SharedS3rver.Local.GetAsync();
        var bucket = "aspire-" + Guid.NewGuid().ToString("N")[..8]; // the run's shared s3rver: a bucket of its own
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:minio"] = $"Endpoint={s3rver.Url};AccessKey={S3rverProcess.AccessKey};SecretKey={S3rverProcess.SecretKey}",
            ["S3_OVERLAY_LOCAL_CONNECTION_NAME"] = "minio",
        });
        using var client = proxy.CreateClient();
        await client.PutBucketAsync(bucket);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "via connection string" });

        using var direct = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        using var stored = await direct.GetObjectAsync(bucket, "k");
        Assert.Equal("via connection string", Encoding.UTF8.GetString(await ReadAsync(stored.ResponseStream)));
        Assert.False(Directory.Exists(Path.Combine(proxy.DataDir, bucket)), "nothing goes to the embedded store");
    }

    [Theory]
    [InlineData("S3_OVERLAY_LOCAL_ENDPOINT", "not a url")]
    [InlineData("S3_OVERLAY_LOCAL_ENDPOINT", "ftp://host")]
    [InlineData("ConnectionStrings:local", "AccessKey=a;SecretKey=b")]
    [InlineData("S3_OVERLAY_REMOTE_ADDRESSING_STYLE", "sideways")]
    [InlineData("S3_OVERLAY_LOCAL_TIMEOUT", "0")]
    [InlineData("S3_OVERLAY_LOCAL_TIMEOUT", "soon")]
    public void A_bad_store_setting_stops_start_up_naming_it(string setting, string value)
    {
        var settings = new Dictionary<string, string?> { [setting] = value };
        if (setting.StartsWith("S3_OVERLAY_REMOTE")) settings["S3_OVERLAY_REMOTE_ENDPOINT"] = "http://127.0.0.1:9";
        if (setting == LocalStoreCatalog.Timeout.Name) settings[LocalStoreCatalog.Endpoint.Name] = "http://127.0.0.1:9";
        var read = new SettingReader(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        var e = Assert.Throws<SettingException>(() => (LocalStoreSettings.From(read), RemoteStoreSettings.From(read)));
        Assert.Contains(setting, e.Message);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<byte[]> ReadAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }
}
