using System.Net;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>CORS as a page's S3 client meets it: unauthenticated preflights, then headers on the real answers.</summary>
[FunctionalTests]
public sealed class CorsTests
{
    private const string Origin = "https://viewer.example";
    private static readonly HttpClient Http = new();

    private static HttpRequestMessage Preflight(ProxyServer proxy, string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, proxy.Url + path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    [Fact]
    public async Task Preflights_are_answered_without_credentials_and_answers_expose_S3_headers()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_CORS_ORIGINS"] = $"{Origin}, https://other.example" });
        await AuthHttp.PutBucketWithObjectAsync(proxy, "cors-bucket", "k.txt", "0123456789"u8.ToArray());

        using var preflight = await Http.SendAsync(Preflight(proxy, "/cors-bucket/k.txt", Origin, "PUT",
            "authorization,x-amz-date,x-amz-content-sha256,content-type,range"));
        Assert.True(preflight.IsSuccessStatusCode, $"preflight answered {(int)preflight.StatusCode}");
        Assert.Equal(Origin, preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var methods = string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Methods"));
        foreach (var method in new[] { "GET", "HEAD", "PUT", "POST", "DELETE" }) Assert.Contains(method, methods);
        var allowed = string.Join(',', preflight.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        foreach (var header in new[] { "authorization", "x-amz-date", "x-amz-content-sha256", "content-type", "range" }) Assert.Contains(header, allowed);
        Assert.True(preflight.Headers.Contains("Access-Control-Max-Age"));

        // The real request: signed, from the page's origin; its answer lets the page read ETag and Content-Range.
        using var get = await proxy.CreateHttpClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "cors-bucket/k.txt")
        {
            Headers = { { "Origin", Origin }, { "Range", "bytes=2-4" } },
        });
        Assert.Equal(HttpStatusCode.PartialContent, get.StatusCode);
        Assert.Equal(Origin, get.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = string.Join(',', get.Headers.GetValues("Access-Control-Expose-Headers")).ToLowerInvariant();
        foreach (var header in new[] { "etag", "x-amz-request-id", "content-range", "x-amz-version-id", "content-length" }) Assert.Contains(header, exposed);

        // Errors carry CORS headers too, or the page could not read why it failed.
        using var missing = await proxy.CreateHttpClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "cors-bucket/missing") { Headers = { { "Origin", Origin } } });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(Origin, missing.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // Another origin is not allowed; /_overlay/ pages are never shared cross-origin.
        using var stranger = await Http.SendAsync(Preflight(proxy, "/cors-bucket/k.txt", "https://evil.example", "GET", "authorization"));
        Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));
        using var overlay = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, proxy.Url + "/_overlay/status") { Headers = { { "Origin", Origin } } });
        Assert.False(overlay.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_star_allows_every_origin_and_no_setting_allows_none()
    {
        await using var open = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_CORS_ORIGINS"] = "*" });
        using var preflight = await Http.SendAsync(Preflight(open, "/any-bucket?list-type=2", "http://localhost:3000", "GET", "authorization,x-amz-date"));
        Assert.True(preflight.IsSuccessStatusCode);
        Assert.Equal("*", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());

        await using var closed = await ProxyServer.StartAsync();
        using var refused = await Http.SendAsync(Preflight(closed, "/any-bucket?list-type=2", "http://localhost:3000", "GET", "authorization"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(refused.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_malformed_origin_stops_start_up()
    {
        var e = await Assert.ThrowsAsync<Configuration.SettingException>(() =>
            ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_CORS_ORIGINS"] = "not an origin" }));
        Assert.Contains("S3_OVERLAY_CORS_ORIGINS", e.Message);
    }
}
