using System.Net;
using System.Net.Http.Headers;
using System.Text;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Admin;

/// <summary>
/// A signed-in operator's browser attaches its HTTP Basic credentials to any site's form post:
/// the admin API and the browser's presign endpoint refuse what a browser says is cross-site,
/// and still serve scripts and the CLI, which send no Origin.
/// </summary>
[FunctionalTests]
public class CrossSiteTests
{
    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "http://evil.example")]
    public async Task A_cross_site_browser_request_changes_nothing(string header, string value)
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(proxy.Url + "/") };

        var warm = Signed(HttpMethod.Post, "_overlay/api/warm/bucket?prefix=a");
        warm.Headers.TryAddWithoutValidation(header, value);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(warm)).StatusCode);

        var presign = Signed(HttpMethod.Post, "_overlay/browse/bucket/presign");
        presign.Content = new FormUrlEncodedContent([new("method", "PUT"), new("key", "k")]);
        presign.Headers.TryAddWithoutValidation(header, value);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(presign)).StatusCode);
    }

    [Fact]
    public async Task Same_origin_pages_and_non_browser_callers_pass()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(proxy.Url + "/") };
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("bucket");

        // No overlay is configured, so the admin API answers 404 past the guard.
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Signed(HttpMethod.Post, "_overlay/api/warm/bucket?prefix=a"))).StatusCode);
        var sameOrigin = Signed(HttpMethod.Post, "_overlay/api/warm/bucket?prefix=a");
        sameOrigin.Headers.TryAddWithoutValidation("Origin", proxy.Url);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(sameOrigin)).StatusCode);

        var presign = Signed(HttpMethod.Post, "_overlay/browse/bucket/presign");
        presign.Content = new FormUrlEncodedContent([new("method", "PUT"), new("key", "k")]);
        presign.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(presign)).StatusCode);
    }

    private static HttpRequestMessage Signed(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        return request;
    }
}
