using Amazon.S3.Model;
using Microsoft.Playwright;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// The web browser in a real headless Chromium (the Debian package, driven by Playwright): sign
/// in with HTTP Basic, see the listing, upload through the page's file picker (XHR to a presigned
/// PUT), delete through its button. Screenshots go to the test output's browser-screenshots/.
/// </summary>
[ConformanceTests]
public sealed class ChromiumTests
{
    public const string Chromium = "/usr/bin/chromium";

    public static readonly string[] LaunchFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Generous: the whole suite (and more) shares two cores with this browser.</summary>
    private const int PatientMs = 60_000;

    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "browser-screenshots");

    [Fact]
    public async Task A_person_signs_in_sees_the_objects_uploads_and_deletes()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("photos");
        foreach (var (key, size) in new[] { ("2024/holiday/beach.jpg", 2_400_000), ("2024/holiday/sunset.jpg", 1_800_000), ("2025/x.jpg", 10), ("cat.jpg", 348_000), ("notes.txt", 1_234), ("README.md", 312) })
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "photos", Key = key, InputStream = new MemoryStream(new byte[size]), UseChunkEncoding = false });

        var browser = await SharedChromium.BrowserAsync(LaunchFlags);
        await using var context = await browser.NewContextAsync(new()
        {
            HttpCredentials = new() { Username = ProxyServer.AccessKey, Password = ProxyServer.SecretKey },
            ViewportSize = new() { Width = 1100, Height = 720 },
        });
        context.SetDefaultTimeout(PatientMs);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(ScreenshotDir);

        await page.GotoAsync(proxy.Url + "/_overlay/browse/photos/");
        var names = await page.Locator("td.name a").AllInnerTextsAsync();
        Assert.Equal(["2024/", "2025/", "README.md", "cat.jpg", "notes.txt"], names.Select(n => n.Trim()));
        Assert.Contains("Signed in as minioadmin", await page.Locator("header").InnerTextAsync());

        // Upload through the page: the file picker, the XHR with its progress bar, then the page reloads.
        await page.Locator("#files").SetInputFilesAsync(new FilePayload { Name = "uploaded from chromium.txt", MimeType = "text/plain", Buffer = "hello from the browser"u8.ToArray() });
        await page.Locator("td.name a", new() { HasText = "uploaded from chromium.txt" }).WaitForAsync(new() { Timeout = PatientMs });
        using (var got = await s3.GetObjectAsync("photos", "uploaded from chromium.txt"))
        {
            Assert.Equal("hello from the browser", await new StreamReader(got.ResponseStream).ReadToEndAsync());
            Assert.Equal("text/plain", got.Headers.ContentType);
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "folder.png"), FullPage = true });

        // The object page, then delete with its confirmation dialog.
        await page.Locator("td.name a", new() { HasText = "cat.jpg" }).ClickAsync();
        await page.Locator("table.props").First.WaitForAsync();
        Assert.Contains("339.8 KiB", await page.Locator("table.props").First.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, "object.png"), FullPage = true });
        var dialogs = new List<string>();
        // Any dialog after the confirmation is the page's own error report (alert): fail with it.
        var pageError = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Dialog += (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add(dialog.Message);
                if (dialogs.Count > 1) pageError.TrySetResult(dialog.Message);
            }
            dialog.AcceptAsync();
        };
        await page.Locator("button[data-delete]").ClickAsync();
        // The object is gone from the store once the page's presigned DELETE has run.
        var deadline = DateTime.UtcNow.AddMilliseconds(PatientMs);
        while (await ExistsAsync(s3, "photos", "cat.jpg"))
        {
            if (DateTime.UtcNow > deadline)
                lock (dialogs) throw new TimeoutException($"cat.jpg was not deleted; page at {page.Url}; dialogs: {string.Join(" | ", dialogs)}");
            await Task.Delay(100);
        }
        // The page then returns to its folder by itself, and the folder lists what is left. Wait
        // for the folder's content, not for a navigation event: Playwright's WaitForURLAsync reads
        // page.Url and only then subscribes to navigations, so a navigation committed between the
        // two is never seen (the old test's 60 s timeouts, 2 runs in 9 under load, with the object
        // deleted and no alert). A locator wait polls in the page and survives navigations.
        var folderShown = page.Locator("td.name a", new() { HasText = "notes.txt" }).WaitForAsync();
        if (await Task.WhenAny(folderShown, pageError.Task) == pageError.Task)
            Assert.Fail($"The page reported an error instead of returning to its folder: {await pageError.Task} (page at {page.Url})");
        await folderShown;
        Assert.Equal(proxy.Url + "/_overlay/browse/photos/", page.Url);
        lock (dialogs) Assert.Equal(["Delete cat.jpg?"], dialogs);
        var after = await page.Locator("td.name a").AllInnerTextsAsync();
        Assert.DoesNotContain("cat.jpg", after.Select(n => n.Trim()));
        await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => s3.GetObjectMetadataAsync("photos", "cat.jpg"));
    }

    private static async Task<bool> ExistsAsync(Amazon.S3.IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
