using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Telemetry.Prometheus.ScrapedOverlay;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Telemetry.Prometheus;

/// <summary>
/// What an operator's Prometheus reads from <c>/_overlay/metrics</c> after real S3 traffic through
/// the overlay, parsed by the Prometheus client's own parsers: the families, types, labels and values.
/// </summary>
[ConformanceTests]
public sealed class PrometheusScrapeTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task Reads_by_result_bytes_by_source_fills_and_remote_errors_are_scraped_as_counted()
    {
        await using var run = await RunAsync(servers);
        var m = run.After;

        Assert.Equal("counter", m.Family("overlay_requests").Type);
        // The first reader and the one that joined its fill are both remote fills; then a hit and a miss.
        Assert.Equal(2, m.Value("overlay_requests_total", ("overlay_result", "remote_fill")));
        Assert.Equal(1, m.Value("overlay_requests_total", ("overlay_result", "local_hit")));
        Assert.Equal(1, m.Value("overlay_requests_total", ("overlay_result", "miss")));
        Assert.Equal(4, m.Value("overlay_requests_total"));

        Assert.Equal("counter", m.Family("overlay_bytes").Type);
        Assert.Equal(2 * Size, m.Value("overlay_bytes_total", ("overlay_source", "remote")));
        Assert.Equal(Size, m.Value("overlay_bytes_total", ("overlay_source", "local")));
        // One remote GET however many readers: the remote's bytes were fetched once.
        Assert.Equal(Size, m.Value("overlay_remote_bytes_fetched_bytes_total"));
        Assert.Equal(1, m.Value("overlay_coalesced_waiters_total"));

        Assert.Equal("histogram", m.Family("overlay_fill_duration_seconds").Type);
        // One fill: the miss and the remote's 500 fetched nothing, and are not timed as fills.
        Assert.Equal(1, m.Value("overlay_fill_duration_seconds_count"));
        Assert.True(m.Value("overlay_fill_duration_seconds_sum") > 0, "the fill took time");
        Assert.Equal(1, m.Value("overlay_fill_duration_seconds_bucket", ("le", "+Inf")));
        // Bounds in seconds, from milliseconds to minutes (not OpenTelemetry's defaults, made for milliseconds).
        Assert.Equal(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "120", "300", "+Inf"],
            m.Family("overlay_fill_duration_seconds").Samples.Where(s => s.Name.EndsWith("_bucket")).Select(s => s.Labels["le"]));

        Assert.Equal("gauge", m.Family("overlay_fills_active").Type);
        Assert.Equal(1, run.During.Value("overlay_fills_active"));
        Assert.Equal(0, m.Value("overlay_fills_active"));

        Assert.Equal("gauge", m.Family("overlay_cache_size_bytes").Type);
        Assert.True(m.Value("overlay_cache_size_bytes") >= Size, $"the cache holds the filled object: {m.Value("overlay_cache_size_bytes")} bytes");
        Assert.Equal(run.CacheSizeShown, m.Value("overlay_cache_size_bytes"));

        // The remote's 500 is one error (whatever the SDK retried), answered to the client as 502; the miss's 404 is none.
        Assert.Equal("counter", m.Family("overlay_remote_errors").Type);
        Assert.Equal(1, m.Value("overlay_remote_errors_total", ("error_type", "error_answer")));
        Assert.Equal(1, m.Value("overlay_remote_errors_total"));

        // ASP.NET Core's own, with the S3 answers' status codes.
        Assert.Equal("histogram", m.Family("http_server_request_duration_seconds").Type);
        Assert.Equal(1, m.Value("http_server_request_duration_seconds_count", ("http_response_status_code", "502")));
        Assert.Equal(1, m.Value("http_server_request_duration_seconds_count", ("http_response_status_code", "404")));
    }

    [Fact]
    public async Task The_OpenMetrics_answer_a_Prometheus_server_asks_for_passes_the_strict_parser_with_the_same_figures()
    {
        await using var run = await RunAsync(servers, openMetrics: true);
        var m = run.After;
        Assert.Equal(2, m.Value("overlay_requests_total", ("overlay_result", "remote_fill")));
        Assert.Equal(Size, m.Value("overlay_bytes_total", ("overlay_source", "local")));
        Assert.Equal(1, m.Value("overlay_fill_duration_seconds_count"));
        Assert.Equal(1, m.Value("overlay_remote_errors_total", ("error_type", "error_answer")));
    }

    [Fact]
    public async Task Two_proxies_in_one_process_each_export_their_own_figures()
    {
        var on = new Dictionary<string, string?> { [TelemetryCatalog.Metrics.Name] = "true" };
        await using var busy = await ProxyServer.StartAsync(on);
        await using var idle = await ProxyServer.StartAsync(on);
        using var http = new HttpClient();
        for (var i = 0; i < 5; i++) await http.GetStringAsync(busy.Url + "/_overlay/health");

        const string health = "/_overlay/health";
        // ASP.NET Core records a request's duration as the server ends it, after the client has
        // its answer: the last one may come a moment after (1 fresh-clone CI run of 5 scraped 4).
        var counted = 0.0;
        await Polling.EventuallyAsync(async () => (counted = (await PrometheusText.ScrapeAsync(busy.Url)).Value("http_server_request_duration_seconds_count", ("http_route", health))) >= 5,
            "the five requests' durations are recorded");
        Assert.Equal(5, counted);
        Assert.Equal(0, (await PrometheusText.ScrapeAsync(idle.Url)).Value("http_server_request_duration_seconds_count", ("http_route", health)));
    }
}
