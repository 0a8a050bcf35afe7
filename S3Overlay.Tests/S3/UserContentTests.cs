using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Auth;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// Objects are user content on the server's own origin: answered never sniffed and sandboxed, and
/// an anonymous reader may not relabel them with response-* overrides.
/// </summary>
[FunctionalTests]
public class UserContentTests
{
    private static readonly byte[] Page = "<script>alert(document.domain)</script>"u8.ToArray();

    [Fact]
    public async Task Object_answers_are_nosniff_and_sandboxed()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient(defaults: false);
        await client.PutBucketAsync("site");
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "site", Key = "x.html", ContentType = "text/html", InputStream = new MemoryStream(Page), UseChunkEncoding = false,
        });
        using var http = proxy.CreateHttpClient();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var answer = await http.SendAsync(new HttpRequestMessage(method, "site/x.html"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", string.Join(",", answer.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("sandbox", string.Join(",", answer.Headers.GetValues("Content-Security-Policy")));
        }
    }

    [Fact]
    public async Task Anonymous_readers_may_not_override_response_headers()
    {
        await using var proxy = await AuthHttp.StartAsync(settings: new() { ["S3_OVERLAY_PUBLIC_BUCKETS"] = "public" });
        await AuthHttp.PutBucketWithObjectAsync(proxy, "public", "data.json", "{}"u8.ToArray());
        using var anonymous = proxy.CreateHttpClient(signed: false);

        var relabelled = await anonymous.GetAsync("public/data.json?response-content-type=text/html");
        var error = await AuthHttp.AssertErrorAsync(relabelled, 400, "InvalidRequest");
        Assert.Equal("Request specific response headers cannot be used for anonymous GET requests.", error.Element("Message")?.Value);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("public/data.json")).StatusCode);

        // A signed reader (a presigned link naming the download) still may.
        using var client = proxy.CreateClient();
        var url = client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = "public", Key = "data.json", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP,
            ResponseHeaderOverrides = { ContentType = "text/plain" },
        });
        var signed = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("text/plain", signed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_with_a_control_character_is_answered_with_its_S3_error()
    {
        await using var proxy = await AuthHttp.StartAsync(settings: new() { ["S3_OVERLAY_PUBLIC_BUCKETS"] = "public" });
        await AuthHttp.PutBucketWithObjectAsync(proxy, "public", "a", "{}"u8.ToArray());
        using var anonymous = proxy.CreateHttpClient(signed: false);

        var missing = await anonymous.GetAsync("public/a%01");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // XML 1.0 cannot carry U+0001, even escaped: the error names the key with U+FFFD in its place, well-formed.
        var error = System.Xml.Linq.XDocument.Parse(await missing.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("NoSuchKey", error.Element("Code")?.Value);
        Assert.Equal("a\uFFFD", error.Element("Key")?.Value);
    }
}
