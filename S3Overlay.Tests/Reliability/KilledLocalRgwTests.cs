using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Configuration;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;
using S3Overlay.Storage.S3;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The overlay over Ceph RGW as its local store when radosgw itself dies (SIGKILL, mid-fill):
/// the lost local store as a crash loses it, where <see cref="LostLocalStoreTests"/> has a relay
/// play the outage. A radosgw of a cluster of the test's own (<see cref="RgwGateway"/>) is killed
/// and started again on its port: on the run's shared cluster its dead watches would hold every
/// other test's CreateBucket for 10-30 s. What the design says:
/// the read whose fill the kill cut still gets the remote's bytes, whole; objects the remote
/// backs are read from it; a client's object answers 503 naming the local store, writes fail
/// fast; once radosgw is back everything resumes without a restart, and the cut fill is made
/// again by the next read.
/// </summary>
[ReliabilityTests]
public sealed class KilledLocalRgwTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const long Size = 4 * MiB;

    [Fact]
    public async Task A_radosgw_killed_mid_fill_costs_no_read_the_remote_backs_and_everything_resumes_when_it_is_back()
    {
        if (RgwCluster.Unavailable() is { } why) Assert.Skip($"RGW: {why}");
        await using var cluster = await RgwCluster.StartAsync();
        await using var gateway = await cluster.StartGatewayAsync();
        // The outage hold is timed by this clock: it lasts until the test moves it.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>((cluster.Tenant with { Url = gateway.Url }).AsLocalStore())
        {
            // A killed radosgw's port is closed, so requests to it are refused at once: the timeout
            // only has to be longer than RGW takes to store an object on a busy machine (over 1 s
            // seen in a full run), or the store is taken for lost before it is killed.
            ["S3_OVERLAY_LOCAL_TIMEOUT"] = "3",
        }, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var http = env.Proxy.CreateHttpClient();
        await env.SeedRemoteAsync("filled.bin", 40_000, 1);
        await env.SeedRemoteAsync("cut.bin", Size, 2);
        await env.GetAndCheckAsync("filled.bin", 1, 40_000);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("filled.bin"));
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"{env.Bucket}/mine.txt", new StringContent("a client's object"))).StatusCode);

        // The cold read is under way (its remote body paused after 256 KiB) when radosgw dies.
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = 256 * 1024;
        env.Relay.PauseMidBody = resume;
        var cutRead = env.GetAndCheckAsync("cut.bin", 2, Size);
        await Polling.EventuallyAsync(() => env.Relay.BytesRelayed >= 256 * 1024, "the cold read's fill is under way");
        await gateway.KillAsync();
        resume.SetResult();
        env.Relay.PauseMidBody = null;
        await cutRead.WaitAsync(TimeSpan.FromSeconds(30));
        await env.FillsIdleAsync();

        // Down: a write fails fast naming the local store; the remote's objects are read from it, byte for byte; a client's is refused.
        var took = Stopwatch.StartNew();
        await AssertRefusedAsync(await http.PutAsync($"{env.Bucket}/new.txt", new StringContent("new")));
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(5), $"the write's 503 took {took.Elapsed}");
        await env.GetAndCheckAsync("filled.bin", 1, 40_000);
        await env.GetAndCheckAsync("cut.bin", 2, Size, 1000, 1999);
        await AssertRefusedAsync(await http.GetAsync($"{env.Bucket}/mine.txt"));

        // Back on its port: after the hold the first write finds it, with no restart of the proxy.
        await gateway.StartAsync();
        clock.Advance(LocalStoreSettings.OutageHold);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"{env.Bucket}/new.txt", new StringContent("new"))).StatusCode);
        Assert.Equal("a client's object", await http.GetStringAsync($"{env.Bucket}/mine.txt"));
        Assert.Equal("new", await http.GetStringAsync($"{env.Bucket}/new.txt"));
        Assert.False(await env.IsStoredLocallyAsync("cut.bin"), "the fill the kill cut left an object");
        await env.GetAndCheckAsync("cut.bin", 2, Size);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("cut.bin"), "the fill the kill cut was not made again");
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("cut.bin", 2, Size);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {text}, not 503");
            Assert.Contains("<Code>ServiceUnavailable</Code>", text);
            Assert.Contains("local store", text);
        }
    }
}
