using System.Net.Http.Headers;
using System.Text;
using Amazon.S3.Model;
using S3Overlay.Tests.Fleet;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>
/// Two replicas of a fleet over one shared local store: an event delivered to one holds for the
/// other. The copy it drops is gone from the shared store for both; and the other replica, which
/// remembered the remote's "no such key" of a key the remote has since created (for a minute,
/// by its settings), serves that key at once, because the replica that took the event passed it on.
/// </summary>
[FunctionalTests]
public sealed class RemoteEventsInAFleetTests
{
    private const string Token = "fleet-events-token-0123456789";
    private const string RootKey = "eventsroot";
    private const string RootSecret = "eventsroot-secret";

    [Fact]
    public async Task An_event_delivered_to_one_replica_holds_for_the_other()
    {
        await using var store = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_ACCESS_KEY"] = "eventsstore", ["S3_OVERLAY_SECRET_KEY"] = "eventsstore-secret" });
        var s3rver = await SharedS3rver.Remote.GetAsync();
        using var remote = S3Clients.Create(s3rver.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        var bucket = "f" + Guid.NewGuid().ToString("N")[..12];
        await remote.PutBucketAsync(bucket);
        var urls = FreePorts.Take(2).Select(port => $"http://127.0.0.1:{port}").ToArray();
        var settings = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = s3rver.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_REMOTE_BUCKETS"] = bucket,
            ["S3_OVERLAY_CACHE_ENABLED"] = "true",
            ["S3_OVERLAY_CACHE_BUCKET"] = "cache-" + bucket,
            ["S3_OVERLAY_ACCESS_KEY"] = RootKey,
            ["S3_OVERLAY_SECRET_KEY"] = RootSecret,
            ["S3_OVERLAY_PEERS"] = string.Join(',', urls),
            ["S3_OVERLAY_PEER_TIMEOUT"] = "30",
            ["S3_OVERLAY_NEGATIVE_CACHE_TTL"] = "60",
            ["S3_OVERLAY_REMOTE_EVENTS_TOKEN"] = Token,
            ["S3_OVERLAY_REMOTE_EVENTS_RECONCILE"] = "false",
            ["S3_OVERLAY_SPILL_DIR"] = Path.Combine(Path.GetTempPath(), "s3overlay-test-spill"),
        };
        foreach (var (name, value) in new S3User(store.Url, "eventsstore", "eventsstore-secret").AsLocalStore()) settings[name] = value;
        var replicas = await Task.WhenAll(urls.Select(url => ProxyServer.StartAsync(new Dictionary<string, string?>(settings) { ["urls"] = url, ["S3_OVERLAY_PEER_URL"] = url })));
        try
        {
            using var first = replicas[0].CreateClient(defaults: false, RootKey, RootSecret);
            using var second = replicas[1].CreateClient(defaults: false, RootKey, RootSecret);
            await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "changed.txt", ContentBody = "old", UseChunkEncoding = false });
            Assert.Equal("old", await ServedBody.ReadAsync(second, bucket, "changed.txt"));
            Assert.Null(await ServedBody.ReadAsync(second, bucket, "created.txt"));
            await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "changed.txt", ContentBody = "new", UseChunkEncoding = false });
            await remote.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "created.txt", ContentBody = "created", UseChunkEncoding = false });
            await Polling.EventuallyAsync(async () => await ServedBody.ReadAsync(first, bucket, "changed.txt") == "old", "the copy is stored in the shared store");
            Assert.Null(await ServedBody.ReadAsync(second, bucket, "created.txt"));

            // Both events to the first replica only, as a load balancer in front of the fleet sends them.
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, urls[0] + "/_overlay/events")
            {
                Content = new StringContent("{\"Records\":[" + Record(bucket, "changed.txt", "22af645d1859cb5ca6da0c484f1f37ea") + "," + Record(bucket, "created.txt", "e2fa538867c3830a859a5b17ab24644b") + "]}",
                    Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var answer = await http.SendAsync(request);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());

            Assert.Equal("new", await ServedBody.ReadAsync(second, bucket, "changed.txt"));
            Assert.Equal("created", await ServedBody.ReadAsync(second, bucket, "created.txt"));
            Assert.Equal("new", await ServedBody.ReadAsync(first, bucket, "changed.txt"));
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
        }
    }

    private static string Record(string bucket, string key, string etag) => System.Text.Json.JsonSerializer.Serialize(
        new { eventSource = "ceph:s3", eventName = "ObjectCreated:Put", s3 = new { bucket = new { name = bucket }, @object = new { key, eTag = etag } } });
}
