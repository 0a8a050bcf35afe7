using System.Net;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using S3Overlay.Configuration;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Tests.Telemetry.Prometheus;

/// <summary>
/// Who may read <c>/_overlay/metrics</c>: nobody when it is off (the default), the admin API's
/// users when it is on, anyone when it is public; and that it shadows no bucket.
/// </summary>
[FunctionalTests]
public sealed class MetricsEndpointTests
{
    private static readonly Dictionary<string, string?> On = new() { [TelemetryCatalog.Metrics.Name] = "true" };

    [Fact]
    public async Task Off_by_default_the_path_is_not_there_and_nothing_of_OpenTelemetry_is_registered()
    {
        await using var proxy = await ProxyServer.StartAsync();
        var signedIn = await GetAsync(proxy, ProxyServer.AccessKey, ProxyServer.SecretKey);
        Assert.Equal(HttpStatusCode.NotFound, signedIn.Status);
        Assert.DoesNotContain("# TYPE", signedIn.Body);
        Assert.Null(proxy.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task On_it_refuses_a_caller_without_credentials_or_with_wrong_ones_and_challenges_them()
    {
        await using var proxy = await ProxyServer.StartAsync(On);
        foreach (var (user, password) in new[] { ((string?)null, (string?)null), (ProxyServer.AccessKey, "wrong-secret"), ("nobody", "nothing") })
        {
            var answer = await GetAsync(proxy, user, password);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.StartsWith("Basic realm=", answer.Challenge);
            Assert.Equal("no-store", answer.CacheControl);
            Assert.DoesNotContain("# TYPE", answer.Body);
        }
        var root = await GetAsync(proxy, ProxyServer.AccessKey, ProxyServer.SecretKey);
        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", root.Body);
        // Metrics only: no tracer is registered for them, so requests make no Activity for nobody.
        Assert.Null(proxy.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Only_users_who_may_use_the_admin_API_read_them()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>(On)
        {
            ["S3_OVERLAY_ACCESS_KEY"] = ProxyServer.AccessKey,
            ["S3_OVERLAY_SECRET_KEY"] = ProxyServer.SecretKey,
            ["Overlay:Users:0:AccessKey"] = "reader",
            ["Overlay:Users:0:SecretKey"] = "reader-secret",
            ["Overlay:Users:0:Policy"] = "readonly",
            ["Overlay:Users:1:AccessKey"] = "operator",
            ["Overlay:Users:1:SecretKey"] = "operator-secret",
            ["Overlay:Users:1:Policy"] = "admin",
        });
        var reader = await GetAsync(proxy, "reader", "reader-secret");
        Assert.Equal(HttpStatusCode.Forbidden, reader.Status);
        Assert.Contains("admin:*", reader.Body);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(proxy, "operator", "operator-secret")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(proxy, ProxyServer.AccessKey, ProxyServer.SecretKey)).Status);
    }

    [Fact]
    public async Task Public_they_are_open_to_anyone()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>(On) { [TelemetryCatalog.MetricsPublic.Name] = "true" });
        var anonymous = await GetAsync(proxy, null, null);
        Assert.Equal(HttpStatusCode.OK, anonymous.Status);
        // The first request of this proxy: only what is there before any request ends (the runtime's).
        Assert.Contains("# TYPE dotnet_process_cpu_count gauge", anonymous.Body);
    }

    [Fact]
    public async Task An_overlay_built_outside_the_host_in_the_same_process_shows_nothing_in_its_scrape()
    {
        // Unit tests build overlays without a host; a test process runs them beside hosts that export.
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>(On) { [TelemetryCatalog.MetricsPublic.Name] = "true" });
        var standalone = S3Overlay.Telemetry.OverlayMetrics.Standalone();
        standalone.CountBytesServed(12_345, S3Overlay.Telemetry.OverlayTelemetry.Sources.Local);
        standalone.Requests.Add(1);
        var scrape = (await GetAsync(proxy, null, null)).Body;
        Assert.Contains("# TYPE dotnet_process_cpu_count gauge", scrape);
        Assert.DoesNotContain("overlay_bytes_total", scrape);
        Assert.DoesNotContain("overlay_requests_total", scrape);
    }

    [Fact]
    public async Task A_bucket_named_metrics_is_still_a_bucket()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>(On) { [TelemetryCatalog.MetricsPublic.Name] = "true" });
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("metrics");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "metrics", Key = "cpu.csv", ContentBody = "t,v", UseChunkEncoding = false });
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "metrics" });
        Assert.Equal(["cpu.csv"], listed.S3Objects.Select(o => o.Key));
        using var got = await s3.GetObjectAsync("metrics", "cpu.csv");
        Assert.Equal("t,v", await new StreamReader(got.ResponseStream).ReadToEndAsync());
    }

    [Theory]
    [InlineData("S3_OVERLAY_METRICS", "sometimes", "'sometimes' is not true or false")]
    [InlineData("S3_OVERLAY_METRICS_PUBLIC", "maybe", "'maybe' is not true or false")]
    public async Task A_value_that_is_not_true_or_false_stops_start_up_naming_the_setting(string setting, string value, string problem)
    {
        var settings = new Dictionary<string, string?>(On) { [setting] = value };
        var e = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(settings));
        Assert.Equal(setting, e.Setting);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public async Task Public_metrics_that_are_not_turned_on_stop_start_up()
    {
        var e = await Assert.ThrowsAsync<SettingException>(() => ProxyServer.StartAsync(new Dictionary<string, string?> { [TelemetryCatalog.MetricsPublic.Name] = "true" }));
        Assert.Equal(TelemetryCatalog.MetricsPublic.Name, e.Setting);
        Assert.Contains(TelemetryCatalog.Metrics.Name, e.Message);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, string Challenge, string CacheControl);

    private static async Task<Answer> GetAsync(ProxyServer proxy, string? user, string? password)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.Url + MetricsEndpoint.Path);
        if (user is not null) request.Headers.Authorization = PrometheusText.Basic(user, password!);
        using var response = await http.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.WwwAuthenticate.ToString(), response.Headers.CacheControl?.ToString() ?? "");
    }
}
