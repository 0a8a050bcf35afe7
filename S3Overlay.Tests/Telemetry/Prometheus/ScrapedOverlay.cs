using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Telemetry.Prometheus;

/// <summary>
/// An overlay with its metrics on, after traffic of every kind a dashboard shows: a fill held in
/// flight while a second reader joins it, a hit, a miss, and a remote that answers 500; then
/// scraped. <see cref="During"/> is the scrape taken while the fill was in flight.
/// </summary>
public sealed class ScrapedOverlay : IAsyncDisposable
{
    public const long Size = 300_000;
    public const string Key = "filled.bin";

    private ScrapedOverlay(OverlayEnvironment environment, PrometheusText during, PrometheusText after, long cacheSizeShown)
    {
        Environment = environment;
        During = during;
        After = after;
        CacheSizeShown = cacheSizeShown;
    }

    /// <summary>The overlay, still running (for a scraper of its own), until this is disposed.</summary>
    public OverlayEnvironment Environment { get; }

    public PrometheusText During { get; }
    public PrometheusText After { get; }

    /// <summary>The cache size the status page showed at the end, for the gauge to agree with.</summary>
    public long CacheSizeShown { get; }

    public static async Task<ScrapedOverlay> RunAsync(OverlayServers servers, bool openMetrics = false)
    {
        var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { [TelemetryCatalog.Metrics.Name] = "true" });
        try
        {
            return await RunAsync(env, openMetrics);
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
    }

    private static async Task<ScrapedOverlay> RunAsync(OverlayEnvironment env, bool openMetrics)
    {
        await env.SeedRemoteAsync(Key, Size, 3);

        // The remote holds the body back after its first 64 KiB: the fill is in flight, and a second reader joins it.
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.PauseMidBody = remoteBody;
        var first = env.GetAndCheckAsync(Key, 3, Size);
        var during = await EventuallyAsync(env, openMetrics, s => s.Value("overlay_fills_active") == 1, "the fill shows in flight");
        var joiner = env.GetAndCheckAsync(Key, 3, Size);
        await EventuallyAsync(env, openMetrics, s => s.Value("overlay_coalesced_waiters_total") == 1, "the second reader joins the fill");
        remoteBody.SetResult();
        await Task.WhenAll(first, joiner);
        env.Relay.PauseMidBody = null;
        await env.FillsIdleAsync();

        await env.GetAndCheckAsync(Key, 3, Size); // a hit
        var missing = await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "missing.bin"));
        Assert.Equal(404, (int)missing.StatusCode);
        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        // Once, by a client that does not retry (the SDK retries a 502).
        using (var once = env.Proxy.CreateHttpClient())
            Assert.Equal(502, (int)(await once.GetAsync($"{env.Bucket}/broken.bin")).StatusCode);
        env.Relay.Mode = CountingRelay.Behaviour.Relay;

        // A body's bytes are counted when the server disposes it, just after the client's last byte;
        // ASP.NET Core records a request's duration as the server ends it, after the client has the answer.
        var after = await EventuallyAsync(env, openMetrics, s => s.Value("overlay_bytes_total", ("overlay_source", "local")) == Size
            && s.Value("http_server_request_duration_seconds_count", ("http_response_status_code", "502")) > 0, "the hit's bytes and the 502 are counted");
        using var http = env.Proxy.CreateHttpClient();
        using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("_overlay/status?format=json"));
        return new ScrapedOverlay(env, during, after, status.RootElement.GetProperty("cacheSizeBytes").GetInt64());
    }

    public ValueTask DisposeAsync() => Environment.DisposeAsync();

    /// <summary>Scrapes until <paramref name="condition"/> holds (<see cref="Polling"/>); returns that scrape.</summary>
    private static async Task<PrometheusText> EventuallyAsync(OverlayEnvironment env, bool openMetrics, Func<PrometheusText, bool> condition, string what)
    {
        PrometheusText? scrape = null;
        try
        {
            await Polling.EventuallyAsync(async () => condition(scrape = await PrometheusText.ScrapeAsync(env.Proxy.Url, openMetrics: openMetrics)), what);
        }
        catch (Exception e) when (scrape is not null)
        {
            // What the last scrape said of the overlay's own series: which figure was off, and by how much.
            var figures = scrape.Families.Where(f => f.Name.StartsWith("overlay_", StringComparison.Ordinal)).SelectMany(f => f.Samples)
                .Select(x => $"{x.Name}{{{string.Join(",", x.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {x.Value}");
            throw new Xunit.Sdk.XunitException($"{e.Message}; the last scrape:\n{string.Join("\n", figures)}");
        }
        return scrape!;
    }
}
