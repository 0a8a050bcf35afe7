using System.Net;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// With a remote behind the overlay, the browser shows what an S3 client sees: remote objects in
/// the (merged) listing and on their pages, and the page's presigned download reads them through
/// the overlay.
/// </summary>
[FunctionalTests]
public sealed class BrowserOverlayTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task Remote_objects_are_listed_described_and_downloadable()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("remote/data.bin", 3000, 7, r => r.Metadata.Add("origin", "remote"));
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = BrowserFixture.Basic(ProxyServer.AccessKey, ProxyServer.SecretKey);

        var folder = await http.GetStringAsync($"{env.Proxy.Url}/_overlay/browse/{env.Bucket}/?prefix=remote%2F");
        Assert.Contains(">data.bin<", folder);
        Assert.Contains("3,000 bytes", folder);

        var page = await http.GetStringAsync($"{env.Proxy.Url}/_overlay/browse/{env.Bucket}/?key=remote%2Fdata.bin");
        Assert.Contains("<th>x-amz-meta-origin</th><td>remote</td>", page);
        Assert.Contains("3,000 bytes", page);
        var download = BrowserFixture.Attributes(page, "href").Single(h => h.Contains("X-Amz-Signature"));
        using var plain = new HttpClient();
        using var ranged = new HttpRequestMessage(HttpMethod.Get, env.Proxy.Url + download) { Headers = { Range = new(0, 99) } };
        using var response = await plain.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Null(await PatternData.MismatchAsync(await response.Content.ReadAsStreamAsync(), 0, 100, 7));
        Assert.True(env.Relay.TotalRequests > 0, "the remote was never asked");
    }
}
