using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>Health and liveness under /_overlay/: not S3, not authenticated, JSON with each check.</summary>
[FunctionalTests]
public class HealthEndpointTests
{
    [Fact]
    public async Task Health_reports_each_check_and_is_healthy_with_a_usable_store()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = proxy.CreateHttpClient();

        var response = await http.GetAsync("_overlay/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("x-amz-request-id"), "health is not an S3 request");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("self").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Alive_runs_only_the_liveness_checks()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = proxy.CreateHttpClient();

        var response = await http.GetAsync("_overlay/alive");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Equal(["self"], checks);
    }

    [Fact]
    public async Task Health_is_503_when_the_local_store_is_unusable_while_alive_stays_200()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var http = proxy.CreateHttpClient(signed: false);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/health")).StatusCode);

        Directory.Delete(proxy.DataDir, recursive: true);   // the disk went away
        clock.Advance(TimeSpan.FromSeconds(5));              // past the reuse of the last result

        var response = await http.SendAsync(SignedIn("_overlay/health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        var storage = json.RootElement.GetProperty("checks").GetProperty("storage");
        Assert.Equal("Unhealthy", storage.GetProperty("status").GetString());
        Assert.Contains(proxy.DataDir, storage.GetProperty("description").GetString());
        // The process itself is fine: restarting it would not bring the disk back.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/alive")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_callers_get_statuses_only_and_a_recent_result_is_reused()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var http = proxy.CreateHttpClient(signed: false);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/health")).StatusCode);

        Directory.Delete(proxy.DataDir, recursive: true);
        // Within a few seconds the last result is answered again: no store (or remote) check per call.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/health")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(5));

        var response = await http.GetAsync("_overlay/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(proxy.DataDir, text);
        using var json = JsonDocument.Parse(text);
        var storage = json.RootElement.GetProperty("checks").GetProperty("storage");
        Assert.Equal("Unhealthy", storage.GetProperty("status").GetString());
        Assert.False(storage.TryGetProperty("description", out _), text);
    }

    private static HttpRequestMessage SignedIn(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        return request;
    }
}
