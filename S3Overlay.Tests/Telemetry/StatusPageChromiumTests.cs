using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Browser;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// The status page in a real headless Chromium after an hour of traffic (time moved by hand):
/// the three charts are drawn. Its screenshot is the one docs/observability.md shows (docs/status-page.png) when
/// <c>S3OVERLAY_README_SCREENSHOTS=1</c>, so ordinary runs do not rewrite it.
/// </summary>
[ConformanceTests]
public sealed class StatusPageChromiumTests
{
    [Fact]
    public async Task The_status_page_draws_the_last_hour_in_a_browser()
    {
        Assert.True(File.Exists(ChromiumTests.Chromium), $"{ChromiumTests.Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var metrics = proxy.Services.GetRequiredService<OverlayMetrics>();
        // An hour that warms up: remote fills at first, local hits later, a burst of fills in the middle.
        for (var minute = 0; minute < 60; minute++)
        {
            var hits = minute / 2;
            var fills = Math.Max(1, 12 - minute / 5);
            Add(metrics, OverlayTelemetry.Results.LocalHit, hits, OverlayTelemetry.Sources.Local, hits * 400_000L);
            Add(metrics, OverlayTelemetry.Results.RemoteFill, fills, OverlayTelemetry.Sources.Remote, fills * 900_000L);
            var inFlight = minute is > 20 and < 30 ? 8 - Math.Abs(25 - minute) : minute % 7 == 0 ? 1 : 0;
            using (metrics.ObserveFillsInFlight(() => inFlight))
                await proxy.CreateHttpClient().GetStringAsync("_overlay/status"); // a look records the gauge
            if (minute < 59) clock.Advance(TimeSpan.FromMinutes(1));
        }

        await using var context = await (await SharedChromium.BrowserAsync(ChromiumTests.LaunchFlags)).NewContextAsync(new() { ViewportSize = new() { Width = 820, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(proxy.Url + "/_overlay/status");
        Assert.Equal(3, await page.Locator("svg.chart").CountAsync());
        Assert.True(await page.Locator("svg.chart").First.IsVisibleAsync());
        Assert.Equal(60, await page.Locator("svg.chart").Nth(1).Locator("g").CountAsync());
        await page.ScreenshotAsync(new() { Path = ReadmeScreenshots.PathFor("status-page.png"), FullPage = true });
    }

    private static void Add(OverlayMetrics metrics, string result, long count, string source, long bytes)
    {
        metrics.Requests.Add(count, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Result, result));
        metrics.Bytes.Add(bytes, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Source, source));
    }
}
