using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Microsoft.Playwright;
using S3Overlay.Browser;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Overlay.OverlayEnvironment;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// In overlay mode an object's page says where it lives, for each of the four kinds, and warming
/// and evicting (through the admin API) change what it says. Over HTTP, as a signed-in visitor.
/// </summary>
public sealed class ObjectPlacementTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task The_object_page_shows_local_only_cached_remote_only_and_partly_cached_and_follows_warm_and_evict()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = MiB.ToString(),
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * MiB).ToString(),
        });
        await env.SeedRemoteAsync("cached.bin", 1000, 1);
        await env.GetAndCheckAsync("cached.bin", 1, 1000); // also creates the bucket locally
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "local.txt", ContentBody = "mine", UseChunkEncoding = false });
        await env.SeedRemoteAsync("remote.bin", 1000, 2);
        await env.SeedRemoteAsync("large.bin", 3 * MiB + 5, 3); // four chunks
        await env.GetAndCheckAsync("large.bin", 3, 3 * MiB + 5, first: 0, last: 99); // the first only
        using var admin = new AdminHttp(env.Proxy.Url);
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("chunks").GetInt32() == 1, "the fills are stored");

        using var http = new HttpClient { BaseAddress = new Uri(env.Proxy.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        async Task<string> PlacementAsync(string key)
        {
            var html = await http.GetStringAsync(BrowserLinks.Object(env.Bucket, key));
            return Regex.Match(html, "data-placement=\"[^\"]*\">([^<]*)").Groups[1].Value;
        }

        Assert.Equal("Local only (written here)", await PlacementAsync("local.txt"));
        Assert.Equal("Cached from the remote", await PlacementAsync("cached.bin"));
        Assert.Equal("Remote only (not fetched yet)", await PlacementAsync("remote.bin"));
        Assert.Equal("Partly cached: 1 of 4 chunks", await PlacementAsync("large.bin"));
        var largePage = await http.GetStringAsync(BrowserLinks.Object(env.Bucket, "large.bin"));
        Assert.Equal(1, Regex.Count(largePage, "class=\"chunk held\""));
        Assert.Equal(3, Regex.Count(largePage, "class=\"chunk\""));
        await ScreenshotAsync(env.Proxy.Url + BrowserLinks.Object(env.Bucket, "large.bin"));

        // Warm the bucket: the remote-only and the partly cached objects become cached.
        var (_, started) = await admin.SendAsync(HttpMethod.Post, $"warm/{env.Bucket}?prefix=");
        var id = started.GetProperty("id").GetString();
        await EventuallyAsync(async () => (await admin.SendAsync(HttpMethod.Get, $"jobs/{id}")).Json.GetProperty("state").GetString() != "running", "the warm job ends");
        await EventuallyAsync(async () => await PlacementAsync("remote.bin") == "Cached from the remote", "remote.bin is cached");
        await EventuallyAsync(async () => await PlacementAsync("large.bin") == "Cached from the remote", "every chunk of large.bin is cached");

        // Evict one: it is the remote's only again; a local write is never evicted.
        await admin.EvictKeyAsync(env.Bucket, "cached.bin");
        Assert.Equal("Remote only (not fetched yet)", await PlacementAsync("cached.bin"));
        await admin.SendAsync(HttpMethod.Delete, $"cache/{env.Bucket}?prefix=");
        Assert.Equal("Local only (written here)", await PlacementAsync("local.txt"));
    }

    /// <summary>The partly cached object's page in Chromium, as the README shows it (docs/ with S3OVERLAY_README_SCREENSHOTS=1).</summary>
    private static async Task ScreenshotAsync(string url)
    {
        Assert.True(File.Exists(ChromiumTests.Chromium), $"{ChromiumTests.Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumTests.Chromium, Headless = true, Args = ChromiumTests.LaunchFlags });
        await using var context = await browser.NewContextAsync(new()
        {
            HttpCredentials = new() { Username = ProxyServer.AccessKey, Password = ProxyServer.SecretKey },
            ViewportSize = new() { Width = 1000, Height = 640 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        Assert.Equal("Partly cached: 1 of 4 chunks", (await page.Locator("td[data-placement]").InnerTextAsync()).Trim());
        Assert.True(await page.Locator(".chunk.held").IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = ReadmeScreenshots.PathFor("browser-overlay.png") });
    }
}
