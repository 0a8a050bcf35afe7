using S3Overlay.Tests.Browser;
using Amazon.S3.Model;
using Microsoft.Playwright;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Browser.BucketCorsChromiumTests;
using static S3Overlay.Tests.Browser.ChromiumTests;
using static S3Overlay.Tests.S3.PostObject.PostForms;

namespace S3Overlay.Tests.S3.PostObject;

/// <summary>
/// A web page on another origin uploads with a plain HTML form (the browser-based upload S3
/// documents, answered with a 303 back to the page) and with fetch + FormData, which real
/// Chromium lets the page read only once the bucket's CORS rules allow the page's origin.
/// </summary>
[ConformanceTests]
public sealed class PostObjectChromiumTests
{
    private const int PatientMs = 60_000;

    [Fact]
    public async Task A_page_on_another_origin_uploads_with_an_HTML_form_and_with_fetch_once_the_bucket_allows_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("uploads");
        var formFields = SignedV4("uploads", [("key", "photos/${filename}"), ("Content-Type", "text/plain"), ("success_action_redirect", PageOrigin + "/done")]);
        var inputs = string.Concat(formFields.Select(f => $"<input type=\"hidden\" name=\"{System.Net.WebUtility.HtmlEncode(f.Name)}\" value=\"{System.Net.WebUtility.HtmlEncode(f.Value)}\">"));
        var html = $"<html><body><form id=\"upload\" action=\"{proxy.Url}/uploads\" method=\"post\" enctype=\"multipart/form-data\">{inputs}"
            + "<input type=\"file\" name=\"file\"><input type=\"submit\" id=\"send\"></form></body></html>";

        await using var context = await (await SharedChromium.BrowserAsync(CrossOriginLaunchFlags)).NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(PatientMs);
        await page.RouteAsync(PageOrigin + "/**", route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = route.Request.Url.StartsWith(PageOrigin + "/done", StringComparison.Ordinal) ? "<html><body>done</body></html>" : html,
        }));
        await page.GotoAsync(PageOrigin + "/");

        // The HTML form: the browser posts, S3 answers 303, the browser lands back on the page's origin.
        await page.SetInputFilesAsync("input[type=file]", new FilePayload { Name = "cat.txt", MimeType = "text/plain", Buffer = "a cat"u8.ToArray() });
        await page.ClickAsync("#send");
        await page.WaitForURLAsync(url => url.StartsWith(PageOrigin + "/done?", StringComparison.Ordinal));
        var landed = new Uri(page.Url);
        Assert.Equal("?bucket=uploads&key=photos%2Fcat.txt&etag=%22" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("a cat"u8)) + "%22", landed.Query);
        using (var got = await s3.GetObjectAsync("uploads", "photos/cat.txt"))
            Assert.Equal("a cat", await new StreamReader(got.ResponseStream).ReadToEndAsync());

        // fetch + FormData: the upload is a simple request, but the page may read the answer only under the bucket's CORS rules.
        const string Script = """
            async ([url, fields, key]) => {
              const form = new FormData();
              for (const [name, value] of fields) form.append(name, value);
              form.append('file', new Blob(['sent by fetch'], { type: 'text/plain' }), 'fetched.txt');
              try { const r = await fetch(url, { method: 'POST', body: form }); return r.status + ' ' + await r.text(); }
              catch (e) { return 'blocked'; }
            }
            """;
        object[] Args(string key) => [proxy.Url + "/uploads", SignedV4("uploads", [("key", key), ("success_action_status", "201")]).Select(f => new[] { f.Name, f.Value }).ToArray(), key];
        Assert.Equal("blocked", await page.EvaluateAsync<string>(Script, Args("before-cors.txt")));

        await s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = "uploads",
            Configuration = new CORSConfiguration { Rules = [new CORSRule { AllowedOrigins = [PageOrigin], AllowedMethods = ["POST"], AllowedHeaders = ["*"] }] },
        });
        var after = await page.EvaluateAsync<string>(Script, Args("after-cors.txt"));
        Assert.StartsWith("201 ", after);
        Assert.Contains("<Key>after-cors.txt</Key>", after);
        using var fetched = await s3.GetObjectAsync("uploads", "after-cors.txt");
        Assert.Equal("sent by fetch", await new StreamReader(fetched.ResponseStream).ReadToEndAsync());
    }
}
