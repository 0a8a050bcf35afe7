using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// The status page's last-hour charts: minute by minute (time moved by hand), drawn as inline SVG
/// with no script, each bar titled with its figures.
/// </summary>
[FunctionalTests]
public sealed class StatusChartTests
{
    private static readonly KeyValuePair<string, object?> LocalHit = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.LocalHit);
    private static readonly KeyValuePair<string, object?> RemoteFill = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.RemoteFill);
    private static readonly KeyValuePair<string, object?> Miss = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.Miss);
    private static readonly KeyValuePair<string, object?> FromLocal = new(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Local);
    private static readonly KeyValuePair<string, object?> FromRemote = new(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Remote);

    [Fact]
    public async Task Each_minute_of_the_last_hour_is_a_bar_of_hit_ratio_bytes_by_source_and_fills_in_flight()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 30, TimeSpan.Zero));
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var metrics = proxy.Services.GetRequiredService<OverlayMetrics>();
        using var http = proxy.CreateHttpClient();

        metrics.Requests.Add(3, LocalHit);
        metrics.Requests.Add(1, RemoteFill);
        metrics.Bytes.Add(3000, FromLocal);
        metrics.Bytes.Add(1000, FromRemote);
        clock.Advance(TimeSpan.FromMinutes(1));
        metrics.Requests.Add(1, LocalHit);
        metrics.Requests.Add(1, Miss);
        metrics.Bytes.Add(512, FromLocal);

        string page;
        using (metrics.ObserveFillsInFlight(() => 2))
            page = await http.GetStringAsync("_overlay/status");

        Assert.Equal(3, Count(page, "<svg"));
        Assert.DoesNotContain("<script", page);
        Assert.Equal(3 * 60, Count(page, "<g><title>")); // a bar per minute in each chart
        Assert.Contains("<title>12:00 UTC: hit ratio 75 % (3 of 4 reads)</title>", page);
        Assert.Contains("<title>12:01 UTC: hit ratio 100 % (1 of 1 reads)</title>", page);
        Assert.Contains("<title>11:59 UTC: no reads</title>", page);
        Assert.Contains("<title>12:00 UTC: local 2.9 KiB, remote 1,000 B</title>", page);
        Assert.Contains("<title>12:01 UTC: local 512 B, remote 0 B</title>", page);
        Assert.Contains("<title>12:01 UTC: 2 fills in flight</title>", page);
        Assert.Contains("<title>12:00 UTC: 0 fills in flight</title>", page);

        // At 13:00 the chart spans 12:01 to 13:00: 12:00 has left it, 12:01 is its first bar.
        clock.Advance(TimeSpan.FromMinutes(59));
        page = await http.GetStringAsync("_overlay/status");
        Assert.DoesNotContain("12:00 UTC", page);
        Assert.Contains("<title>12:01 UTC: hit ratio 100 % (1 of 1 reads)</title>", page);
        Assert.Contains("<title>13:00 UTC: no reads</title>", page);
    }

    private static int Count(string text, string part) => text.Split(part).Length - 1;
}
