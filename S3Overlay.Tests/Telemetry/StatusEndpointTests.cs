using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// The status figures are what this proxy's own <c>S3Overlay</c> meter recorded: other proxies in
/// the process (tests running meanwhile) count on meters of their own.
/// </summary>
[FunctionalTests]
public class StatusEndpointTests
{
    private static readonly KeyValuePair<string, object?> LocalHit = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.LocalHit);
    private static readonly KeyValuePair<string, object?> RemoteFill = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.RemoteFill);
    private static readonly KeyValuePair<string, object?> Miss = new(OverlayTelemetry.Tags.Result, OverlayTelemetry.Results.Miss);

    [Fact]
    public async Task Status_json_shows_what_the_overlay_meter_recorded()
    {
        await using var proxy = await ProxyServer.StartAsync();
        var metrics = proxy.Services.GetRequiredService<OverlayMetrics>();
        using var http = proxy.CreateHttpClient();
        // What the overlay records on its decisions: 3 hits, 1 fill, 1 miss; 3000 bytes local, 1000 remote.
        metrics.Requests.Add(3, LocalHit);
        metrics.Requests.Add(1, RemoteFill);
        metrics.Requests.Add(1, Miss);
        metrics.Bytes.Add(3000, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Local));
        metrics.Bytes.Add(1000, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Remote));
        metrics.RemoteBytesFetched.Add(4096);
        metrics.FillDuration.Record(0.25);
        metrics.FillDuration.Record(0.75);
        metrics.CoalescedWaiters.Add(2);
        long cached = 12_345;
        using (metrics.ObserveFillsInFlight(() => 1))
        using (metrics.ObserveCacheSize(() => cached))
        {
            using var json = await GetJsonAsync(http, "_overlay/status?format=json");
            var root = json.RootElement;
            Assert.Equal(5, root.GetProperty("requests").GetProperty("total").GetInt64());
            var byResult = root.GetProperty("requests").GetProperty("byResult");
            Assert.Equal(3, byResult.GetProperty("local_hit").GetInt64());
            Assert.Equal(1, byResult.GetProperty("remote_fill").GetInt64());
            Assert.Equal(0, byResult.GetProperty("chunked").GetInt64());
            Assert.Equal(1, byResult.GetProperty("miss").GetInt64());
            Assert.Equal(0.75, root.GetProperty("hitRatio").GetDouble(), 6);   // 3 of the 4 reads that found an object
            Assert.Equal(3000, root.GetProperty("bytes").GetProperty("local").GetInt64());
            Assert.Equal(1000, root.GetProperty("bytes").GetProperty("remote").GetInt64());
            Assert.Equal(4096, root.GetProperty("bytes").GetProperty("fetchedFromRemote").GetInt64());
            Assert.Equal(0.75, root.GetProperty("byteHitRatio").GetDouble(), 6);
            var fills = root.GetProperty("fills");
            Assert.Equal(1, fills.GetProperty("inFlight").GetInt64());
            Assert.Equal(2, fills.GetProperty("completed").GetInt64());
            Assert.Equal(0.5, fills.GetProperty("averageSeconds").GetDouble(), 6);
            Assert.Equal(2, fills.GetProperty("coalescedWaiters").GetInt64());
            Assert.Equal(12_345, root.GetProperty("cacheSizeBytes").GetInt64());

            cached = 20_000;   // read when asked, not remembered
            using var again = await GetJsonAsync(http, "_overlay/status?format=json");
            Assert.Equal(20_000, again.RootElement.GetProperty("cacheSizeBytes").GetInt64());
        }

        using var unregistered = await GetJsonAsync(http, "_overlay/status?format=json");
        Assert.Equal(JsonValueKind.Null, unregistered.RootElement.GetProperty("cacheSizeBytes").ValueKind);
        Assert.Equal(0, unregistered.RootElement.GetProperty("fills").GetProperty("inFlight").GetInt64());
    }

    [Fact]
    public async Task A_fresh_proxy_starts_from_zero_and_content_negotiation_picks_json_or_html()
    {
        await using var proxy = await ProxyServer.StartAsync();
        var metrics = proxy.Services.GetRequiredService<OverlayMetrics>();
        using var http = proxy.CreateHttpClient();

        var request = new HttpRequestMessage(HttpMethod.Get, "_overlay/status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var asJson = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, asJson.StatusCode);
        Assert.Equal("application/json", asJson.Content.Headers.ContentType?.MediaType);
        using (var json = JsonDocument.Parse(await asJson.Content.ReadAsStringAsync()))
        {
            Assert.Equal(0, json.RootElement.GetProperty("requests").GetProperty("total").GetInt64());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("hitRatio").ValueKind);
        }

        metrics.Requests.Add(1, LocalHit);
        metrics.Requests.Add(1, RemoteFill);
        metrics.Bytes.Add(3 << 20, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Local));
        var browser = new HttpRequestMessage(HttpMethod.Get, "_overlay/status");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        var page = await http.SendAsync(browser);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.StartsWith("<!doctype html>", html);
        Assert.Contains("<b>50 %</b><span>hit ratio", html);
        Assert.Contains("<tr><th>served from the local store</th><td class=\"n\">3.0 MiB</td></tr>", html);
        Assert.Contains("<tr><th>local_hit</th><td class=\"n\">1</td></tr>", html);
    }

    [Fact]
    public async Task Two_proxies_in_one_process_keep_their_figures_apart()
    {
        await using var first = await ProxyServer.StartAsync();
        await using var second = await ProxyServer.StartAsync();
        first.Services.GetRequiredService<OverlayMetrics>().Requests.Add(2, LocalHit);
        second.Services.GetRequiredService<OverlayMetrics>().Requests.Add(5, Miss);
        long firstCache = 100, secondCache = 900;
        using var firstObserved = first.Services.GetRequiredService<OverlayMetrics>().ObserveCacheSize(() => firstCache);
        using var secondObserved = second.Services.GetRequiredService<OverlayMetrics>().ObserveCacheSize(() => secondCache);

        using var http = first.CreateHttpClient();
        using var json = await GetJsonAsync(http, "_overlay/status?format=json");
        var requests = json.RootElement.GetProperty("requests");
        Assert.Equal(2, requests.GetProperty("total").GetInt64());
        Assert.Equal(0, requests.GetProperty("byResult").GetProperty("miss").GetInt64());
        Assert.Equal(100, json.RootElement.GetProperty("cacheSizeBytes").GetInt64());
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
