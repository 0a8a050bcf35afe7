using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>SigV4 as clients meet it: SDK requests, presigned URLs, and what is refused.</summary>
[FunctionalTests]
public class SignatureTests
{
    private static readonly byte[] Body = "presigned bytes\n"u8.ToArray();

    [Fact]
    public async Task Presigned_get_and_put_work_through_a_plain_http_client()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("share");
        using var http = proxy.CreateHttpClient(signed: false);

        var putUrl = Presign(client, "share", "dir/a file+plus.txt", HttpVerb.PUT, TimeSpan.FromMinutes(5));
        var put = await http.PutAsync(putUrl, new ByteArrayContent(Body));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var getUrl = Presign(client, "share", "dir/a file+plus.txt", HttpVerb.GET, TimeSpan.FromMinutes(5));
        var get = await http.GetAsync(getUrl);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Body, await get.Content.ReadAsByteArrayAsync());

        // The same URL for another key, or with its signature altered, is refused.
        var other = await http.GetAsync(getUrl.Replace("a%20file", "b%20file"));
        await AuthHttp.AssertErrorAsync(other, 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task An_expired_presigned_url_is_access_denied()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await AuthHttp.StartAsync(clock);
        await AuthHttp.PutBucketWithObjectAsync(proxy, "share", "k", Body);
        using var client = proxy.CreateClient();
        using var http = proxy.CreateHttpClient(signed: false);
        var url = Presign(client, "share", "k", HttpVerb.GET, TimeSpan.FromHours(1));

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
        clock.Now = DateTimeOffset.UtcNow.AddHours(2);
        var error = await AuthHttp.AssertErrorAsync(await http.GetAsync(url), 403, "AccessDenied");
        Assert.Equal("Request has expired.", error.Element("Message")?.Value);
    }

    [Theory]
    [InlineData("604801", 403, "AccessDenied")]
    [InlineData("99999999999999999999", 403, "AccessDenied")]
    [InlineData("-1", 403, "AccessDenied")]
    [InlineData("abc", 400, "AuthorizationQueryParametersError")]
    public async Task A_presigned_url_may_live_at_most_seven_days_and_its_expiry_must_be_a_number(string expires, int status, string code)
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = proxy.CreateHttpClient(signed: false);
        var date = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'");
        var url = $"share/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=minioadmin%2F{date[..8]}%2Fus-east-1%2Fs3%2Faws4_request"
            + $"&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={new string('0', 64)}";
        await AuthHttp.AssertErrorAsync(await http.GetAsync(url), status, code);
    }

    [Fact]
    public async Task A_wrong_secret_or_a_tampered_signature_is_signature_does_not_match()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var wrongSecret = proxy.CreateClient(secretKey: "not-the-secret");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => wrongSecret.ListBucketsAsync());
        Assert.Equal((HttpStatusCode.Forbidden, "SignatureDoesNotMatch"), (e.StatusCode, e.ErrorCode));

        using var http = proxy.CreateHttpClient(signed: false);
        var request = new HttpRequestMessage(HttpMethod.Get, proxy.Url + "/");
        await RequestSigner.SignAsync(request);
        var authorization = request.Headers.GetValues("Authorization").Single();
        var last = authorization[^1];
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization[..^1] + (last == '0' ? '1' : '0'));
        await AuthHttp.AssertErrorAsync(await http.SendAsync(request), 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task An_unknown_access_key_is_invalid_access_key_id()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var stranger = proxy.CreateClient(accessKey: "nobody", secretKey: "whatever");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => stranger.ListBucketsAsync());
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidAccessKeyId"), (e.StatusCode, e.ErrorCode));
    }

    [Fact]
    public async Task A_client_clock_off_by_more_than_15_minutes_is_request_time_too_skewed()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddMinutes(10));
        await using var proxy = await AuthHttp.StartAsync(clock);
        using var http = proxy.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("")).StatusCode);

        clock.Now = DateTimeOffset.UtcNow.AddMinutes(20);
        await AuthHttp.AssertErrorAsync(await http.GetAsync(""), 403, "RequestTimeTooSkewed");
        clock.Now = DateTimeOffset.UtcNow.AddMinutes(-20);
        await AuthHttp.AssertErrorAsync(await http.GetAsync(""), 403, "RequestTimeTooSkewed");
    }

    [Fact]
    public async Task Anonymous_requests_are_access_denied()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "private", "k", Body);
        using var http = proxy.CreateHttpClient(signed: false);
        await AuthHttp.AssertErrorAsync(await http.GetAsync("private/k"), 403, "AccessDenied");
        await AuthHttp.AssertErrorAsync(await http.GetAsync("private"), 403, "AccessDenied");
        await AuthHttp.AssertErrorAsync(await http.GetAsync(""), 403, "AccessDenied");
        await AuthHttp.AssertErrorAsync(await http.PutAsync("private/new", new ByteArrayContent(Body)), 403, "AccessDenied");
        // The non-S3 endpoints are not S3's to guard.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("_overlay/health")).StatusCode);
    }

    [Fact]
    public async Task A_public_bucket_is_readable_anonymously_but_not_writable()
    {
        await using var proxy = await AuthHttp.StartAsync(settings: new() { ["S3_OVERLAY_PUBLIC_BUCKETS"] = "viewers, other" });
        await AuthHttp.PutBucketWithObjectAsync(proxy, "viewers", "page.html", Body);
        await AuthHttp.PutBucketWithObjectAsync(proxy, "private", "page.html", Body);
        using var http = proxy.CreateHttpClient(signed: false);

        var get = await http.GetAsync("viewers/page.html");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "viewers/page.html"))).StatusCode);
        var list = await http.GetAsync("viewers?list-type=2");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("page.html", await list.Content.ReadAsStringAsync());

        await AuthHttp.AssertErrorAsync(await http.PutAsync("viewers/new", new ByteArrayContent(Body)), 403, "AccessDenied");
        await AuthHttp.AssertErrorAsync(await http.DeleteAsync("viewers/page.html"), 403, "AccessDenied");
        await AuthHttp.AssertErrorAsync(await http.GetAsync("private/page.html"), 403, "AccessDenied");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("viewers/page.html")).StatusCode);
    }

    [Fact]
    public async Task Several_users_from_configuration_replace_the_default()
    {
        await using var proxy = await AuthHttp.StartAsync(settings: new()
        {
            ["S3_OVERLAY_ACCESS_KEY"] = "admin-key", ["S3_OVERLAY_SECRET_KEY"] = "admin-secret",
            ["Overlay:Users:0:AccessKey"] = "viewer-key", ["Overlay:Users:0:SecretKey"] = "viewer-secret",
        });
        using var admin = proxy.CreateClient(accessKey: "admin-key", secretKey: "admin-secret");
        using var viewer = proxy.CreateClient(accessKey: "viewer-key", secretKey: "viewer-secret");
        using var defaults = proxy.CreateClient();
        await admin.PutBucketAsync("bkt");
        Assert.Contains((await viewer.ListBucketsAsync()).Buckets, b => b.BucketName == "bkt");
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => defaults.ListBucketsAsync());
        Assert.Equal("InvalidAccessKeyId", e.ErrorCode);
    }

    [Fact]
    public async Task A_body_that_is_not_the_signed_sha256_is_refused_and_not_stored()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "bkt", "other", Body);
        using var http = proxy.CreateHttpClient(signed: false);
        var request = new HttpRequestMessage(HttpMethod.Put, proxy.Url + "/bkt/k") { Content = new ByteArrayContent("signed content"u8.ToArray()) };
        await RequestSigner.SignAsync(request);
        request.Content = new ByteArrayContent("sent content!!"u8.ToArray());
        await AuthHttp.AssertErrorAsync(await http.SendAsync(request), 400, "XAmzContentSHA256Mismatch");

        using var signedHttp = proxy.CreateHttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await signedHttp.GetAsync("bkt/k")).StatusCode);
    }

    private static string Presign(IAmazonS3 client, string bucket, string key, HttpVerb verb, TimeSpan lifetime) =>
        client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket, Key = key, Verb = verb, Expires = DateTime.UtcNow.Add(lifetime), Protocol = Protocol.HTTP,
        });

    [Fact]
    public async Task The_scope_may_name_the_configured_region_or_us_east_1_but_not_another()
    {
        await using var proxy = await AuthHttp.StartAsync(settings: new() { ["S3_OVERLAY_REGION"] = "eu-central-1" });
        using var http = proxy.CreateHttpClient(signed: false);
        async Task<HttpResponseMessage> ListAsync(string region)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, proxy.Url + "/");
            await RequestSigner.SignAsync(request, region: region);
            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await ListAsync("eu-central-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListAsync("us-east-1")).StatusCode);
        var wrong = await AuthHttp.AssertErrorAsync(await ListAsync("ap-south-1"), 400, "AuthorizationHeaderMalformed");
        Assert.Equal("eu-central-1", wrong.Element("Region")?.Value);
    }
}
