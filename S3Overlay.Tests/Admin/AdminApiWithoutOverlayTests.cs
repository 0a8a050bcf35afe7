using System.Net;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Admin;

/// <summary>Without a remote there is no overlay and no cache: every endpoint of the admin API says so, to an operator signed in.</summary>
[FunctionalTests]
public sealed class AdminApiWithoutOverlayTests
{
    [Fact]
    public async Task Every_endpoint_answers_that_the_overlay_is_off()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var admin = new AdminHttp(proxy.Url);
        (HttpMethod, string)[] calls =
        [
            (HttpMethod.Get, "cache/bucket?prefix=a/"), (HttpMethod.Delete, "cache/bucket?key=k"), (HttpMethod.Post, "warm/bucket?prefix=a/"),
            (HttpMethod.Get, "jobs/1"), (HttpMethod.Get, "whiteouts/bucket"), (HttpMethod.Delete, "whiteouts/bucket?prefix=a/"),
        ];
        foreach (var (method, path) in calls)
        {
            var (status, json) = await admin.SendAsync(method, path);
            Assert.Equal((HttpStatusCode.NotFound, "the overlay is off (no remote is configured): there is no cache"), (status, json.GetProperty("error").GetString()));
        }
    }
}
