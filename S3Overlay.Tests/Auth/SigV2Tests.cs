using System.Net;
using System.Security.Cryptography;
using System.Text;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>
/// Legacy AWS Signature Version 2, signed here from its specification (string to sign:
/// verb, Content-MD5, Content-Type, date, x-amz headers, resource with sub-resources).
/// </summary>
[FunctionalTests]
public class SigV2Tests
{
    private static readonly byte[] Body = "legacy client bytes"u8.ToArray();

    [Fact]
    public async Task Header_signed_requests_read_and_write()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "legacy", "dir/k 1.txt", Body);
        using var http = proxy.CreateHttpClient(signed: false);

        var get = await http.SendAsync(HeaderSigned(HttpMethod.Get, proxy, "/legacy/dir/k%201.txt", "/legacy/dir/k%201.txt"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Body, await get.Content.ReadAsByteArrayAsync());

        var put = HeaderSigned(HttpMethod.Put, proxy, "/legacy/new", "/legacy/new", "text/plain", ("x-amz-meta-color", "blue"));
        put.Content = new ByteArrayContent(Body);
        put.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(put)).StatusCode);
        using var client = proxy.CreateClient(defaults: false);
        var head = await client.GetObjectMetadataAsync("legacy", "new");
        Assert.Equal("blue", head.Metadata["color"]);

        // Sub-resources are part of the signed resource; other query parameters are not.
        var location = await http.SendAsync(HeaderSigned(HttpMethod.Get, proxy, "/legacy?location", "/legacy?location"));
        Assert.Equal(HttpStatusCode.OK, location.StatusCode);
        var list = await http.SendAsync(HeaderSigned(HttpMethod.Get, proxy, "/legacy?list-type=2&prefix=dir", "/legacy"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var wrong = await http.SendAsync(HeaderSigned(HttpMethod.Get, proxy, "/legacy?location", "/legacy"));
        await AuthHttp.AssertErrorAsync(wrong, 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Query_signed_urls_work_until_they_expire()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = await AuthHttp.StartAsync(clock);
        await AuthHttp.PutBucketWithObjectAsync(proxy, "legacy", "k", Body);
        using var http = proxy.CreateHttpClient(signed: false);
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds().ToString();
        var signature = Uri.EscapeDataString(Sign($"GET\n\n\n{expires}\n/legacy/k"));

        var get = await http.GetAsync($"legacy/k?AWSAccessKeyId=minioadmin&Expires={expires}&Signature={signature}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Body, await get.Content.ReadAsByteArrayAsync());

        await AuthHttp.AssertErrorAsync(await http.GetAsync($"legacy/k?AWSAccessKeyId=minioadmin&Expires={expires}&Signature=AAAA{signature[4..]}"), 403, "SignatureDoesNotMatch");
        await AuthHttp.AssertErrorAsync(await http.GetAsync($"legacy/k?AWSAccessKeyId=someone&Expires={expires}&Signature={signature}"), 403, "InvalidAccessKeyId");
        clock.Now = DateTimeOffset.UtcNow.AddMinutes(11);
        await AuthHttp.AssertErrorAsync(await http.GetAsync($"legacy/k?AWSAccessKeyId=minioadmin&Expires={expires}&Signature={signature}"), 403, "AccessDenied");
    }

    [Fact]
    public async Task A_skewed_date_is_refused()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var http = proxy.CreateHttpClient(signed: false);
        var request = HeaderSigned(HttpMethod.Get, proxy, "/", "/", date: DateTimeOffset.UtcNow.AddHours(-1));
        await AuthHttp.AssertErrorAsync(await http.SendAsync(request), 403, "RequestTimeTooSkewed");
    }

    private static HttpRequestMessage HeaderSigned(HttpMethod method, ProxyServer proxy, string target, string resource,
        string contentType = "", (string Name, string Value)? amzHeader = null, DateTimeOffset? date = null)
    {
        var request = new HttpRequestMessage(method, proxy.Url + target);
        var dateText = (date ?? DateTimeOffset.UtcNow).ToString("r");
        request.Headers.TryAddWithoutValidation("Date", dateText);
        var amz = "";
        if (amzHeader is var (name, value))
        {
            request.Headers.TryAddWithoutValidation(name, value);
            amz = $"{name}:{value}\n";
        }
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS {ProxyServer.AccessKey}:{Sign($"{method.Method}\n\n{contentType}\n{dateText}\n{amz}{resource}")}");
        return request;
    }

    private static string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(ProxyServer.SecretKey), Encoding.UTF8.GetBytes(stringToSign)));
}
