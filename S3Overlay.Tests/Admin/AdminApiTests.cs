using System.Net;
using System.Text.Json;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Admin;

/// <summary>The admin API over real HTTP, with s3rver as the remote behind a counting relay.</summary>
public abstract class AdminApiTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    private Task<OverlayEnvironment> StartAsync() => OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
    {
        ["S3_OVERLAY_CHUNK_SIZE"] = MiB.ToString(),
        ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * MiB).ToString(),
    });

    [Fact]
    public async Task Warming_a_prefix_fills_it_so_reads_cost_no_remote_request_with_progress_on_the_jobs_endpoint()
    {
        await using var env = await StartAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        long expected = 0;
        for (var i = 0; i < 10; i++)
        {
            await env.SeedRemoteAsync($"warm/{i}.bin", 100_000 + i, i);
            expected += 100_000 + i;
        }
        await env.SeedRemoteAsync("warm/large.bin", 3 * MiB + 5, 20); // four chunks
        expected += 3 * MiB + 5;
        await env.SeedRemoteAsync("cold/other.bin", 1000, 30);

        var (status, started) = await admin.SendAsync(HttpMethod.Post, $"warm/{env.Bucket}?prefix=warm/");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal($"/_overlay/api/jobs/{id}", started.GetProperty("location").GetString());

        JsonElement job = default;
        await EventuallyAsync(async () =>
        {
            (_, job) = await admin.SendAsync(HttpMethod.Get, $"jobs/{id}");
            return job.GetProperty("state").GetString() != "running";
        }, "the warm job finishes");
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(11, job.GetProperty("objectsTotal").GetInt32());
        Assert.Equal(11, job.GetProperty("objectsDone").GetInt32());
        Assert.Equal(0, job.GetProperty("objectsFailed").GetInt32());
        Assert.Equal(expected, job.GetProperty("bytes").GetInt64());

        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket, "warm/")).GetProperty("bytes").GetInt64() == expected, "every warmed byte is stored");
        var report = await admin.ReportAsync(env.Bucket, "warm/");
        Assert.Equal(11, report.GetProperty("objects").GetInt32());
        Assert.Equal(1, report.GetProperty("chunkedObjects").GetInt32());
        Assert.Equal(4, report.GetProperty("chunks").GetInt32());
        Assert.Equal(0, (await admin.ReportAsync(env.Bucket, "cold/")).GetProperty("objects").GetInt32());

        env.Relay.ResetCounts();
        for (var i = 0; i < 10; i++) await env.GetAndCheckAsync($"warm/{i}.bin", i, 100_000 + i);
        await env.GetAndCheckAsync("warm/large.bin", 20, 3 * MiB + 5);
        Assert.Equal(0, env.Relay.TotalRequests);

        (status, _) = await admin.SendAsync(HttpMethod.Get, "jobs/nosuchjob");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Warming_one_key_warms_that_key_alone_and_a_key_deleted_here_is_skipped_not_failed()
    {
        await using var env = await StartAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        await env.SeedRemoteAsync("a.txt", 1000, 1);
        await env.SeedRemoteAsync("a.txt.bak", 2000, 2); // a key the first one is a prefix of
        await env.SeedRemoteAsync("gone.txt", 3000, 3);
        await env.Client.DeleteObjectAsync(env.Bucket, "gone.txt"); // deleted through the overlay: a whiteout

        var one = await RunJobAsync(admin, $"warm/{env.Bucket}?key=a.txt");
        Assert.Equal("completed", one.GetProperty("state").GetString());
        Assert.Equal("a.txt", one.GetProperty("key").GetString());
        Assert.Equal(1, one.GetProperty("objectsTotal").GetInt32());
        Assert.Equal(1000, one.GetProperty("bytes").GetInt64());
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("bytes").GetInt64() == 1000, "a.txt is stored");
        Assert.Equal(1, (await admin.ReportAsync(env.Bucket)).GetProperty("objects").GetInt32());

        var gone = await RunJobAsync(admin, $"warm/{env.Bucket}?key=gone.txt");
        Assert.Equal("completed", gone.GetProperty("state").GetString());
        Assert.Equal(1, gone.GetProperty("objectsTotal").GetInt32());
        Assert.Equal(0, gone.GetProperty("objectsFailed").GetInt32());
        Assert.Equal(1, gone.GetProperty("objectsSkipped").GetInt32());
        Assert.False(await env.IsStoredLocallyAsync("gone.txt"));

        var (status, _) = await admin.SendAsync(HttpMethod.Post, $"warm/{env.Bucket}?key=a.txt&prefix=a");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private static async Task<JsonElement> RunJobAsync(AdminHttp admin, string start)
    {
        var (status, started) = await admin.SendAsync(HttpMethod.Post, start);
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = started.GetProperty("id").GetString()!;
        JsonElement job = default;
        await EventuallyAsync(async () =>
        {
            (_, job) = await admin.SendAsync(HttpMethod.Get, $"jobs/{id}");
            return job.GetProperty("state").GetString() != "running";
        }, "the warm job finishes");
        return job;
    }

    [Fact]
    public async Task The_report_counts_what_was_filled_and_evicting_a_key_makes_the_next_read_a_remote_fill()
    {
        await using var env = await StartAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        await env.SeedRemoteAsync("a/one.bin", 300_000, 1);
        await env.SeedRemoteAsync("a/two.bin", 200_000, 2);
        await env.SeedRemoteAsync("b/big.bin", 2 * MiB + 1, 3);
        await env.GetAndCheckAsync("a/one.bin", 1, 300_000);
        await env.GetAndCheckAsync("a/two.bin", 2, 200_000);
        await env.GetAndCheckAsync("b/big.bin", 3, 2 * MiB + 1, first: 0, last: 99); // one chunk of three
        var total = 300_000 + 200_000 + MiB;
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("bytes").GetInt64() == total, "the fills are stored");

        var all = await admin.ReportAsync(env.Bucket);
        Assert.Equal(3, all.GetProperty("objects").GetInt32());
        Assert.Equal(1, all.GetProperty("chunkedObjects").GetInt32());
        Assert.Equal(1, all.GetProperty("chunks").GetInt32());
        Assert.Equal(total, all.GetProperty("cacheBytes").GetInt64());
        var a = await admin.ReportAsync(env.Bucket, "a/");
        Assert.Equal(2, a.GetProperty("objects").GetInt32());
        Assert.Equal(500_000, a.GetProperty("bytes").GetInt64());

        // The figure reaches telemetry (/_overlay/status): this proxy's own gauge, exactly.
        using (var http = new HttpClient())
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync(env.Proxy.Url + "/_overlay/status?format=json"));
            Assert.Equal(total, status.RootElement.GetProperty("cacheSizeBytes").GetInt64());
        }

        var evicted = await admin.EvictKeyAsync(env.Bucket, "a/one.bin");
        Assert.Equal(1, evicted.GetProperty("objects").GetInt32());
        Assert.Equal(300_000, evicted.GetProperty("bytes").GetInt64());
        Assert.False(await env.IsStoredLocallyAsync("a/one.bin"));
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("a/one.bin", 1, 300_000);
        Assert.Equal(1, env.Relay.Requests("GET"));
        await env.GetAndCheckAsync("a/two.bin", 2, 200_000);
        Assert.Equal(1, env.Relay.Requests("GET"));

        var (code, prefixEvicted) = await admin.SendAsync(HttpMethod.Delete, $"cache/{env.Bucket}?prefix=b/");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(MiB, prefixEvicted.GetProperty("evicted").GetProperty("bytes").GetInt64());
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("b/big.bin", 3, 2 * MiB + 1, first: 0, last: 99);
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task Whiteouts_are_listed_and_cleared_so_the_remote_object_shows_again()
    {
        await using var env = await StartAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        await env.SeedRemoteAsync("gone/a.txt", 1000, 1);
        await env.SeedRemoteAsync("gone/b.txt", 2000, 2);
        await env.Client.DeleteObjectAsync(env.Bucket, "gone/a.txt");
        await env.Client.DeleteObjectAsync(env.Bucket, "gone/b.txt");
        await Assert.ThrowsAsync<Amazon.S3.Model.NoSuchKeyException>(() => env.Client.GetObjectAsync(env.Bucket, "gone/a.txt"));

        var (status, listed) = await admin.SendAsync(HttpMethod.Get, $"whiteouts/{env.Bucket}?prefix=gone/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["gone/a.txt", "gone/b.txt"], listed.GetProperty("whiteouts").EnumerateArray().Select(w => w.GetProperty("key").GetString()));

        var (_, cleared) = await admin.SendAsync(HttpMethod.Delete, $"whiteouts/{env.Bucket}?key=gone/a.txt");
        Assert.Equal(1, cleared.GetProperty("cleared").GetInt32());
        await env.GetAndCheckAsync("gone/a.txt", 1, 1000);
        await Assert.ThrowsAsync<Amazon.S3.Model.NoSuchKeyException>(() => env.Client.GetObjectAsync(env.Bucket, "gone/b.txt"));

        (_, cleared) = await admin.SendAsync(HttpMethod.Delete, $"whiteouts/{env.Bucket}?prefix=");
        Assert.Equal(1, cleared.GetProperty("cleared").GetInt32());
        await env.GetAndCheckAsync("gone/b.txt", 2, 2000);
        (_, listed) = await admin.SendAsync(HttpMethod.Get, $"whiteouts/{env.Bucket}");
        Assert.Empty(listed.GetProperty("whiteouts").EnumerateArray());
    }

    [Fact]
    public async Task Admin_requests_need_the_s3_credentials()
    {
        await using var env = await StartAsync();
        using var anonymous = new AdminHttp(env.Proxy.Url, user: null);
        using var wrong = new AdminHttp(env.Proxy.Url, password: "not-the-secret");
        foreach (var client in new[] { anonymous, wrong })
        {
            foreach (var (method, path) in new[] { (HttpMethod.Get, $"cache/{env.Bucket}"), (HttpMethod.Delete, $"cache/{env.Bucket}?prefix="), (HttpMethod.Post, $"warm/{env.Bucket}"), (HttpMethod.Get, "jobs/x"), (HttpMethod.Get, $"whiteouts/{env.Bucket}"), (HttpMethod.Delete, $"whiteouts/{env.Bucket}?prefix=") })
            {
                var (status, _) = await client.SendAsync(method, path);
                Assert.Equal(HttpStatusCode.Unauthorized, status);
            }
        }
        Assert.Equal(0, env.Relay.TotalRequests);
    }
}

[FunctionalTests]
public sealed class AdminApiOnEmbeddedStoreTests(OverlayServers servers) : AdminApiTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}
