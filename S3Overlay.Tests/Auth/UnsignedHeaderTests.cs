using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>
/// Nothing the signature does not cover may steer a request: every x-amz-* header must be
/// signed (SigV4 header and presigned, as S3 requires), and SigV2 routes only on the
/// sub-resources it signs, spelled exactly.
/// </summary>
[FunctionalTests]
public class UnsignedHeaderTests
{
    private static readonly byte[] Secret = "private bytes"u8.ToArray();
    private static readonly byte[] Mine = "my upload"u8.ToArray();

    [Fact]
    public async Task A_presigned_put_with_an_added_copy_source_does_not_copy_a_private_object()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "private", "secret.txt", Secret);
        await client.PutBucketAsync("upload");
        using var http = proxy.CreateHttpClient(signed: false);
        var url = PresignPut(client, "upload", "mine.txt");

        var attack = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([]) };
        attack.Headers.TryAddWithoutValidation("x-amz-copy-source", "private/secret.txt");
        var error = await AuthHttp.AssertErrorAsync(await http.SendAsync(attack), 403, "AccessDenied");
        Assert.Equal("There were headers present in the request which were not signed", error.Element("Message")?.Value);
        Assert.Equal("x-amz-copy-source", error.Element("HeadersNotSigned")?.Value);
        await Assert.ThrowsAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync("upload", "mine.txt"));

        // The URL as issued still uploads, with an unsigned Content-Type as browsers send it (S3 allows that).
        var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(Mine) };
        put.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(put)).StatusCode);
        var head = await client.GetObjectMetadataAsync("upload", "mine.txt");
        Assert.Equal(Mine.Length, head.ContentLength);
        Assert.Equal("text/plain", head.Headers.ContentType);
    }

    [Theory]
    [InlineData("x-amz-meta-owner", "mallory")]
    [InlineData("x-amz-tagging", "a=b")]
    [InlineData("x-amz-acl", "public-read")]
    [InlineData("x-amz-metadata-directive", "REPLACE")]
    public async Task A_presigned_put_refuses_any_unsigned_x_amz_header(string name, string value)
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("upload");
        using var http = proxy.CreateHttpClient(signed: false);
        var put = new HttpRequestMessage(HttpMethod.Put, PresignPut(client, "upload", "mine.txt")) { Content = new ByteArrayContent(Mine) };
        put.Headers.TryAddWithoutValidation(name, value);
        var error = await AuthHttp.AssertErrorAsync(await http.SendAsync(put), 403, "AccessDenied");
        Assert.Equal(name, error.Element("HeadersNotSigned")?.Value);
    }

    [Fact]
    public async Task A_header_signed_request_refuses_headers_added_after_signing()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("upload");
        using var http = proxy.CreateHttpClient(signed: false);

        var meta = await SignedPutAsync(proxy, "a");
        meta.Headers.TryAddWithoutValidation("x-amz-meta-owner", "mallory");
        var error = await AuthHttp.AssertErrorAsync(await http.SendAsync(meta), 403, "AccessDenied");
        Assert.Equal("x-amz-meta-owner", error.Element("HeadersNotSigned")?.Value);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(await SignedPutAsync(proxy, "c"))).StatusCode);
    }

    [Fact]
    public async Task A_header_signed_put_may_leave_content_type_unsigned_as_minio_go_and_gdal_send_it()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var client = proxy.CreateClient();
        await client.PutBucketAsync("upload");
        using var http = proxy.CreateHttpClient(signed: false);

        // minio-go (restic, mc), GDAL and curl --aws-sigv4 sign host and x-amz-* only; S3 accepts that.
        var typed = await SignedPutAsync(proxy, "b");
        typed.Content!.Headers.TryAddWithoutValidation("Content-Type", "application/x-restic");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(typed)).StatusCode);
        var head = await client.GetObjectMetadataAsync("upload", "b");
        Assert.Equal("application/x-restic", head.Headers.ContentType);
        Assert.Equal(Mine.Length, head.ContentLength);

        // The object is served as data, whatever type it was given.
        var html = await SignedPutAsync(proxy, "page");
        html.Content!.Headers.TryAddWithoutValidation("Content-Type", "text/html");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(html)).StatusCode);
        var get = new HttpRequestMessage(HttpMethod.Get, $"{proxy.Url}/upload/page");
        await RequestSigner.SignAsync(get);
        var answer = await http.SendAsync(get);
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("sandbox", answer.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_presigned_url_must_sign_host()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "share", "k", Mine);
        using var http = proxy.CreateHttpClient(signed: false);
        var time = DateTimeOffset.UtcNow.ToString(S3Overlay.Signing.SigV4.TimestampFormat);
        var scope = $"{time[..8]}/us-east-1/s3/aws4_request";
        var query = $"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={Uri.EscapeDataString("minioadmin/" + scope)}&X-Amz-Date={time}&X-Amz-Expires=300&X-Amz-SignedHeaders=x-amz-date";
        // Signed correctly, over a header set without host: a URL that works from any host name.
        var canonical = S3Overlay.Signing.SigV4.CanonicalRequest("GET", "/share/k", S3Overlay.Signing.SigV4.CanonicalQuery(query),
            [("x-amz-date", time)], "x-amz-date", S3Overlay.Signing.SigV4.UnsignedPayload);
        var signature = Convert.ToHexStringLower(S3Overlay.Signing.SigV4.Hmac(
            S3Overlay.Signing.SigV4.DeriveSigningKey(ProxyServer.SecretKey, time[..8], "us-east-1", "s3"),
            S3Overlay.Signing.SigV4.StringToSign(time, scope, canonical)));
        var get = new HttpRequestMessage(HttpMethod.Get, $"{proxy.Url}/share/k?{query}&X-Amz-Signature={signature}");
        get.Headers.TryAddWithoutValidation("x-amz-date", time);
        var error = await AuthHttp.AssertErrorAsync(await http.SendAsync(get), 403, "AccessDenied");
        Assert.Equal("host", error.Element("HeadersNotSigned")?.Value);
    }

    [Fact]
    public async Task A_sigv2_url_signs_every_x_amz_header()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "private", "secret.txt", Secret);
        await AuthHttp.PutBucketWithObjectAsync(proxy, "upload", "other", Mine);
        using var http = proxy.CreateHttpClient(signed: false);
        var put = new HttpRequestMessage(HttpMethod.Put, proxy.Url + SigV2Url("PUT", "/upload/mine.txt", TimeSpan.FromMinutes(5)))
            { Content = new ByteArrayContent([]) };
        put.Headers.TryAddWithoutValidation("x-amz-copy-source", "private/secret.txt");
        await AuthHttp.AssertErrorAsync(await http.SendAsync(put), 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task A_sigv2_url_routes_only_on_sub_resources_spelled_as_signed()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "upload", "other", Mine);
        using var http = proxy.CreateHttpClient(signed: false);
        // "UploadId" and "PartNumber" are not the signed sub-resources: they are ordinary query
        // parameters, so the signed PutObject stays a PutObject.
        var url = proxy.Url + SigV2Url("PUT", "/upload/mine.txt", TimeSpan.FromMinutes(5)) + "&UploadId=x&PartNumber=1";
        var put = await http.PutAsync(url, new ByteArrayContent(Mine));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var client = proxy.CreateClient();
        Assert.Equal(Mine.Length, (await client.GetObjectMetadataAsync("upload", "mine.txt")).ContentLength);
    }

    [Fact]
    public async Task A_sigv2_url_may_live_at_most_seven_days()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "share", "k", Mine);
        using var http = proxy.CreateHttpClient(signed: false);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(proxy.Url + SigV2Url("GET", "/share/k", TimeSpan.FromDays(6.9)))).StatusCode);
        await AuthHttp.AssertErrorAsync(await http.GetAsync(proxy.Url + SigV2Url("GET", "/share/k", TimeSpan.FromDays(8))), 403, "AccessDenied");
    }

    private static string PresignPut(IAmazonS3 client, string bucket, string key) =>
        client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket, Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP,
        });

    private static async Task<HttpRequestMessage> SignedPutAsync(ProxyServer proxy, string key)
    {
        var put = new HttpRequestMessage(HttpMethod.Put, $"{proxy.Url}/upload/{key}") { Content = new ByteArrayContent(Mine) };
        await RequestSigner.SignAsync(put);
        return put;
    }

    private static string SigV2Url(string method, string resource, TimeSpan lifetime)
    {
        var expires = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeSeconds().ToString();
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(ProxyServer.SecretKey),
            Encoding.UTF8.GetBytes($"{method}\n\n\n{expires}\n{resource}")));
        return $"{resource}?AWSAccessKeyId={ProxyServer.AccessKey}&Expires={expires}&Signature={Uri.EscapeDataString(signature)}";
    }
}
