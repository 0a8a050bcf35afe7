// RunAndWaitForNavigationAsync is marked obsolete, but the page reloads its own URL when a job ends,
// which WaitForURLAsync cannot tell from the page it already shows.
#pragma warning disable CS0612
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Microsoft.Playwright;
using S3Overlay.Browser;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// In overlay mode an object's page says where it lives, for each of the four kinds, and warming
/// and evicting (through the admin API) change what it says. Over HTTP, as a signed-in visitor.
/// </summary>
[ConformanceTests]
public sealed class ObjectPlacementTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task The_object_page_shows_local_only_cached_remote_only_and_partly_cached_and_follows_warm_and_evict()
    {
        await using var env = await FourKindsAsync();
        using var admin = new AdminHttp(env.Proxy.Url);

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
        // No S3_OVERLAY_REVALIDATE_AFTER: a filled copy is trusted until evicted.
        Assert.Contains("data-fresh=\"fresh\">", await http.GetStringAsync(BrowserLinks.Object(env.Bucket, "cached.bin")));
        Assert.DoesNotContain("data-fresh", await http.GetStringAsync(BrowserLinks.Object(env.Bucket, "local.txt")));

        // Warm the bucket: the remote-only and the partly cached objects become cached.
        var (_, started) = await admin.SendAsync(HttpMethod.Post, $"warm/{env.Bucket}?prefix=");
        var id = started.GetProperty("id").GetString();
        await EventuallyAsync(async () => (await admin.SendAsync(HttpMethod.Get, $"jobs/{id}")).Json.GetProperty("state").GetString() != "running", "the warm job ends");
        // The job has read every object, so every fill it caused has started; their stores end with the background work.
        await env.FillsIdleAsync();
        Assert.Equal("Cached from the remote", await PlacementAsync("remote.bin"));
        Assert.Equal("Cached from the remote", await PlacementAsync("large.bin"));

        // Evict one: it is the remote's only again; a local write is never evicted.
        await admin.EvictKeyAsync(env.Bucket, "cached.bin");
        Assert.Equal("Remote only (not fetched yet)", await PlacementAsync("cached.bin"));
        await admin.SendAsync(HttpMethod.Delete, $"cache/{env.Bucket}?prefix=");
        Assert.Equal("Local only (written here)", await PlacementAsync("local.txt"));
    }

    /// <summary>
    /// The folder view in Chromium, as a signed-in visitor: a badge per object for each kind, the
    /// cached bytes per folder, the folder's whiteouts on request, and the buttons (warm an object,
    /// warm the folder with the job's progress, evict the folder) changing what the page shows.
    /// </summary>
    [Fact]
    public async Task The_folder_view_shows_each_kind_and_its_buttons_warm_and_evict()
    {
        Assert.True(File.Exists(ChromiumTests.Chromium), $"{ChromiumTests.Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        await using var env = await FourKindsAsync();
        await env.SeedRemoteAsync("photos/beach.jpg", 1000, 4);
        await env.GetAndCheckAsync("photos/beach.jpg", 4, 1000);
        await env.SeedRemoteAsync("gone.bin", 10, 5);
        await env.Client.DeleteObjectAsync(env.Bucket, "gone.bin"); // a whiteout hides the remote's copy
        await env.FillsIdleAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("objects").GetInt32() == 3, "the fills are indexed (two whole, one chunked)");
        var cachedBytes = (await admin.ReportAsync(env.Bucket)).GetProperty("bytes").GetInt64();

        var browser = await SharedChromium.BrowserAsync(ChromiumTests.LaunchFlags);
        await using var context = await browser.NewContextAsync(new()
        {
            HttpCredentials = new() { Username = ProxyServer.AccessKey, Password = ProxyServer.SecretKey },
            ViewportSize = new() { Width = 1000, Height = 700 },
        });
        var page = await context.NewPageAsync();
        var folderUrl = env.Proxy.Url + BrowserLinks.Folder(env.Bucket);
        await page.GotoAsync(folderUrl);
        async Task<string> BadgeAsync(string key) =>
            await page.Locator($"tr:has(a[href$='key={Uri.EscapeDataString(key)}']) [data-badge]").GetAttributeAsync("data-badge") ?? "";
        async Task<string> BadgesAsync() =>
            string.Join(' ', [await BadgeAsync("cached.bin"), await BadgeAsync("large.bin"), await BadgeAsync("local.txt"), await BadgeAsync("remote.bin")]);

        Assert.Equal("cached partial local remote", await BadgesAsync());
        Assert.Equal(cachedBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), await page.Locator("[data-cached-bytes]").GetAttributeAsync("data-cached-bytes"));
        Assert.Equal("1,000", await page.Locator("[data-folder-cached]").GetAttributeAsync("data-folder-cached"));
        Assert.Equal(0, await page.Locator("[data-whiteout]").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Show deleted keys" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-whiteout]")).ToHaveAttributeAsync("data-whiteout", "gone.bin");
        await page.ScreenshotAsync(new() { Path = ReadmeScreenshots.PathFor("browser-overlay.png"), FullPage = true });

        // Warm one object from its page: every chunk is then held, and the copy is fresh.
        await page.GotoAsync(env.Proxy.Url + BrowserLinks.Object(env.Bucket, "large.bin"));
        Assert.Equal("Partly cached: 1 of 4 chunks", (await page.Locator("td[data-placement]").InnerTextAsync()).Trim());
        await page.RunAndWaitForNavigationAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Warm object" }).ClickAsync());
        Assert.StartsWith("Warm completed: 1 of 1 objects", await page.Locator("#overlay-state").InnerTextAsync());
        await env.FillsIdleAsync();
        await page.ReloadAsync();
        Assert.Equal("Cached from the remote", (await page.Locator("td[data-placement]").InnerTextAsync()).Trim());
        Assert.Equal("fresh", await page.Locator("td[data-fresh]").GetAttributeAsync("data-fresh"));

        // Warm the folder: the remote-only object is cached too; the job's progress stays on the page.
        await page.GotoAsync(folderUrl);
        Assert.Equal("cached cached local remote", await BadgesAsync());
        await page.RunAndWaitForNavigationAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Warm folder" }).ClickAsync());
        // Five remote objects; gone.bin is whited out here: nothing to warm, skipped rather than failed.
        Assert.StartsWith("Warm completed: 4 of 5 objects (1 deleted here)", await page.Locator("#overlay-state").InnerTextAsync());
        await env.FillsIdleAsync();
        await page.ReloadAsync();
        Assert.Equal("cached cached local cached", await BadgesAsync());

        // Evict the folder: what came from the remote is the remote's only again; the local write stays.
        await page.RunAndWaitForNavigationAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Evict folder" }).ClickAsync());
        Assert.Equal("remote remote local remote", await BadgesAsync());
        Assert.Equal("0", await page.Locator("[data-cached-bytes]").GetAttributeAsync("data-cached-bytes"));
    }

    /// <summary>One object of each kind: local.txt written here, cached.bin filled whole, remote.bin never read, large.bin with one of four chunks.</summary>
    private async Task<OverlayEnvironment> FourKindsAsync()
    {
        var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = MiB.ToString(),
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * MiB).ToString(),
        });
        await env.SeedRemoteAsync("cached.bin", 1000, 1);
        await env.GetAndCheckAsync("cached.bin", 1, 1000); // also creates the bucket locally, once its fill is stored
        await env.FillsIdleAsync();
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "local.txt", ContentBody = "mine", UseChunkEncoding = false });
        await env.SeedRemoteAsync("remote.bin", 1000, 2);
        await env.SeedRemoteAsync("large.bin", 3 * MiB + 5, 3); // four chunks
        await env.GetAndCheckAsync("large.bin", 3, 3 * MiB + 5, first: 0, last: 99); // the first only
        // Awaited, not polled on the admin report: a chunk counts in the report before its fill
        // writes the manifest the object's page reads, so on a busy machine the report could say 1
        // while the page still said remote only.
        await env.FillsIdleAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        Assert.Equal(1, (await admin.ReportAsync(env.Bucket)).GetProperty("chunks").GetInt32());
        return env;
    }
}
