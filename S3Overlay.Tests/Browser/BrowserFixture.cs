using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Browser;

/// <summary>
/// A proxy with a public bucket, a hidden bucket and a hidden prefix, and an HTTP client that
/// visits the web browser as a person's browser would (HTTP Basic, no S3 signing).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string PublicBucket = "public-bucket";
    public const string SecretBucket = "secret-bucket";
    public const string HiddenPrefix = "private/";

    private int _buckets;

    public ProxyServer Proxy { get; private set; } = null!;
    public AmazonS3Client Client { get; private set; } = null!;

    /// <summary>A plain client: no credentials, no redirects followed, cookies off.</summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    public async ValueTask InitializeAsync()
    {
        Proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_PUBLIC_BUCKETS"] = PublicBucket,
            ["S3_OVERLAY_HIDDEN_BUCKETS"] = SecretBucket,
            ["S3_OVERLAY_HIDDEN_PREFIXES"] = $"{PublicBucket}/{HiddenPrefix}",
        });
        Client = Proxy.CreateClient(defaults: false);
        await Client.PutBucketAsync(PublicBucket);
        await Client.PutBucketAsync(SecretBucket);
        await PutAsync(PublicBucket, "hello.txt", "hello, world");
        await PutAsync(PublicBucket, HiddenPrefix + "passwords.txt", "hunter2");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Client.Dispose();
        await Proxy.DisposeAsync();
    }

    public async Task<string> NewBucketAsync()
    {
        var name = $"browse-{Interlocked.Increment(ref _buckets)}-{Guid.NewGuid():N}"[..28];
        await Client.PutBucketAsync(name);
        return name;
    }

    public Task PutAsync(string bucket, string key, string body, Action<PutObjectRequest>? configure = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body, UseChunkEncoding = false };
        configure?.Invoke(request);
        return Client.PutObjectAsync(request);
    }

    /// <summary>GETs a page of the browser; <paramref name="signedIn"/> sends the proxy's credentials as HTTP Basic.</summary>
    public Task<HttpResponseMessage> VisitAsync(string pathAndQuery, bool signedIn = true, string? password = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Proxy.Url + pathAndQuery);
        if (signedIn) request.Headers.Authorization = Basic(ProxyServer.AccessKey, password ?? ProxyServer.SecretKey);
        return Http.SendAsync(request);
    }

    /// <summary>GETs a page and returns its HTML, asserting 200.</summary>
    public async Task<string> PageAsync(string pathAndQuery, bool signedIn = true)
    {
        using var response = await VisitAsync(pathAndQuery, signedIn);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {pathAndQuery}: {(int)response.StatusCode} {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return html;
    }

    /// <summary>Asks the page's presign endpoint (what the page's script does) for a URL to send <paramref name="method"/> to.</summary>
    public async Task<string> PresignAsync(string presignPath, string method, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Proxy.Url + presignPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["method"] = method, ["key"] = key }),
        };
        request.Headers.Authorization = Basic(ProxyServer.AccessKey, ProxyServer.SecretKey);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("url").GetString()!;
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>The decoded values of an attribute across the page (href, data-presign, ...).</summary>
    public static List<string> Attributes(string html, string name) =>
        Regex.Matches(html, $"{Regex.Escape(name)}=\"([^\"]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
}
