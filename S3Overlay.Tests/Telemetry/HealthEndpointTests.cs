using System.Net;
using System.Text.Json;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Telemetry;

/// <summary>Health and liveness under /_overlay/: not S3, not authenticated, JSON with each check.</summary>
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
}
