using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>/_overlay/status over a real overlay: a fill, then a hit, as the figures a person reads.</summary>
[FunctionalTests]
public sealed class OverlayStatusTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task A_fill_then_a_hit_show_in_the_status_figures()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        using var http = env.Proxy.CreateHttpClient();
        const long size = 300_000;
        await env.SeedRemoteAsync("seen.bin", size, 6);

        // While the remote holds its body back (a gate after its first 64 KiB), the fill is in
        // flight; it is held there for 700 ms of observed flight before the body may go on.
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.PauseMidBody = remoteBody;
        var cold = env.GetAndCheckAsync("seen.bin", 6, size);
        await EventuallyAsync(async () =>
        {
            using var during = await StatusAsync(http);
            return Fills(during).GetProperty("inFlight").GetInt64() == 1;
        }, "the fill shows in flight");
        await Task.Delay(700); // not a wait for something to happen: the fill's minimum length, asserted below
        remoteBody.SetResult();
        await cold;
        env.Relay.PauseMidBody = null;
        // The client has its last byte before the fill has stored it and left the in-flight count.
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("seen.bin"), "the fill stored the object");
        await env.GetAndCheckAsync("seen.bin", 6, size);

        using var status = await StatusAsync(http);
        var root = status.RootElement;
        var byResult = root.GetProperty("requests").GetProperty("byResult");
        Assert.Equal(1, byResult.GetProperty("remote_fill").GetInt64());
        Assert.Equal(1, byResult.GetProperty("local_hit").GetInt64());
        Assert.Equal(0.5, root.GetProperty("hitRatio").GetDouble(), 6);
        Assert.Equal(size, root.GetProperty("bytes").GetProperty("remote").GetInt64());
        Assert.Equal(size, root.GetProperty("bytes").GetProperty("local").GetInt64());
        Assert.Equal(size, root.GetProperty("bytes").GetProperty("fetchedFromRemote").GetInt64());
        Assert.Equal(0.5, root.GetProperty("byteHitRatio").GetDouble(), 6);
        var fills = Fills(status);
        Assert.Equal(0, fills.GetProperty("inFlight").GetInt64());
        Assert.Equal(1, fills.GetProperty("completed").GetInt64());
        Assert.True(fills.GetProperty("averageSeconds").GetDouble() >= 0.7, "the fill waited for the slow remote");
        Assert.Equal(0, fills.GetProperty("coalescedWaiters").GetInt64());
    }

    [Fact]
    public async Task The_instruments_count_this_proxys_fill_and_hit_exactly()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        const long size = 200_000;
        await env.SeedRemoteAsync("counted.bin", size, 8);
        // Scoped by the instrument itself: this proxy's meter, whatever other tests' proxies record meanwhile.
        var metrics = env.Proxy.Services.GetRequiredService<OverlayMetrics>();
        using var requests = new MetricCollector<long>(metrics.Requests);
        using var served = new MetricCollector<long>(metrics.Bytes);
        using var fetched = new MetricCollector<long>(metrics.RemoteBytesFetched);
        using var fillTimes = new MetricCollector<double>(metrics.FillDuration);

        await env.GetAndCheckAsync("counted.bin", 8, size);
        await env.FillsIdleAsync();
        await env.GetAndCheckAsync("counted.bin", 8, size);
        // A body's bytes are counted when the server disposes it, just after the client's last byte.
        await served.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(30));

        Assert.Equal([(OverlayTelemetry.Results.RemoteFill, 1L), (OverlayTelemetry.Results.LocalHit, 1L)],
            requests.GetMeasurementSnapshot().Select(m => ((string)m.Tags[OverlayTelemetry.Tags.Result]!, m.Value)));
        Assert.Equal([(OverlayTelemetry.Sources.Remote, size), (OverlayTelemetry.Sources.Local, size)],
            served.GetMeasurementSnapshot().Select(m => ((string)m.Tags[OverlayTelemetry.Tags.Source]!, m.Value)));
        Assert.Equal(size, fetched.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Single(fillTimes.GetMeasurementSnapshot());
    }

    private static JsonElement Fills(JsonDocument status) => status.RootElement.GetProperty("fills");

    private static async Task<JsonDocument> StatusAsync(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("_overlay/status?format=json"));
}
