using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Playwright;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// A page on another origin reads and writes a bucket from JavaScript once the bucket's own CORS
/// rules (set with <c>aws s3api put-bucket-cors</c>) allow it: real Chromium enforces CORS, so a
/// missing or wrong header fails the fetch.
/// </summary>
[ConformanceTests]
public sealed class BucketCorsChromiumTests
{
    private const string Chromium = "/usr/bin/chromium";
    /// <summary>Another origin than the proxy's (127.0.0.1:port), on loopback too so Chromium's private-network rules stay out of it.</summary>
    public const string PageOrigin = "http://localhost:9";

    /// <summary>
    /// The page is fulfilled by Playwright, not fetched from loopback, so Chromium counts it as public and
    /// would refuse it the loopback proxy whatever CORS says: its local-network checks are not under test.
    /// </summary>
    public static readonly string[] CrossOriginLaunchFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights",
    ];

    private const int PatientMs = 60_000;

    [Fact]
    public async Task A_page_on_another_origin_reads_and_writes_through_presigned_urls_only_after_put_bucket_cors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run build/install-test-tools.sh (Debian package chromium)");
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("web");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "web", Key = "data.json", ContentBody = "{\"answer\":42}", UseChunkEncoding = false });
        var getUrl = Presign(s3, "data.json", HttpVerb.GET);
        var putUrl = Presign(s3, "from-page.txt", HttpVerb.PUT);

        await using var context = await (await SharedChromium.BrowserAsync(CrossOriginLaunchFlags)).NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(PatientMs);
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        // The page's own origin is served by Playwright: a different origin from the proxy's.
        await page.RouteAsync(PageOrigin + "/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = "<html><body>app</body></html>" }));
        await page.GotoAsync(PageOrigin + "/");

        const string Script = """
            async ([getUrl, putUrl]) => {
              const result = {};
              try { result.read = await (await fetch(getUrl, { cache: 'no-store' })).text(); } catch (e) { result.read = 'blocked'; }
              try { result.write = (await fetch(putUrl, { method: 'PUT', cache: 'no-store', body: 'written by the page', headers: { 'Content-Type': 'text/plain' } })).status; } catch (e) { result.write = 'blocked'; }
              return result;
            }
            """;
        var before = await page.EvaluateAsync<Dictionary<string, object>>(Script, new[] { getUrl, putUrl });
        Assert.Equal("blocked", before["read"].ToString());
        Assert.Equal("blocked", before["write"].ToString());

        using (var aws = new ClientProcess())
        {
            aws["AWS_ACCESS_KEY_ID"] = ProxyServer.AccessKey;
            aws["AWS_SECRET_ACCESS_KEY"] = ProxyServer.SecretKey;
            aws["AWS_DEFAULT_REGION"] = "us-east-1";
            aws["AWS_EC2_METADATA_DISABLED"] = "true";
            await aws.RunAsync("/usr/bin/aws", ["s3api", "put-bucket-cors", "--bucket", "web", "--endpoint-url", proxy.Url, "--cors-configuration",
                $$"""{"CORSRules":[{"AllowedOrigins":["{{PageOrigin}}"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["content-type"],"ExposeHeaders":["ETag"]}]}"""]);
        }

        var after = await page.EvaluateAsync<Dictionary<string, object>>(Script, new[] { getUrl, putUrl });
        Assert.True(after["read"].ToString() == "{\"answer\":42}", string.Join("\n", console));
        Assert.Equal("200", after["write"].ToString());
        using var written = await s3.GetObjectAsync("web", "from-page.txt");
        Assert.Equal("written by the page", await new StreamReader(written.ResponseStream).ReadToEndAsync());
    }

    private static string Presign(IAmazonS3 client, string key, HttpVerb verb) =>
        client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = "web", Key = key, Verb = verb, Expires = DateTime.UtcNow.AddMinutes(10), Protocol = Protocol.HTTP,
            ContentType = verb == HttpVerb.PUT ? "text/plain" : null,
        });
}
