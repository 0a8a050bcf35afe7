using System.Net;
using S3Overlay.S3.Checksums;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>x-amz-checksum-* headers on a PUT: verified while the body streams, stored, returned.</summary>
public class ChecksumHeaderTests
{
    private static readonly byte[] Body = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task A_checksum_header_that_does_not_match_is_bad_digest_and_nothing_is_stored()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "b", "other", Body);
        using var http = proxy.CreateHttpClient();

        var bad = new HttpRequestMessage(HttpMethod.Put, "b/k") { Content = new ByteArrayContent(Body) };
        bad.Headers.TryAddWithoutValidation("x-amz-checksum-crc32", ChecksumAlgorithm.Crc32.Compute("something else"u8));
        await AuthHttp.AssertErrorAsync(await http.SendAsync(bad), 400, "BadDigest");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("b/k")).StatusCode);

        var malformed = new HttpRequestMessage(HttpMethod.Put, "b/k") { Content = new ByteArrayContent(Body) };
        malformed.Headers.TryAddWithoutValidation("x-amz-checksum-sha256", "not base64 of 32 bytes");
        await AuthHttp.AssertErrorAsync(await http.SendAsync(malformed), 400, "InvalidRequest");
    }

    [Fact]
    public async Task A_matching_checksum_header_is_stored_and_returned_with_checksum_mode()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "b", "other", Body);
        using var http = proxy.CreateHttpClient();
        var crc32c = ChecksumAlgorithm.Crc32C.Compute(Body);

        var put = new HttpRequestMessage(HttpMethod.Put, "b/k") { Content = new ByteArrayContent(Body) };
        put.Headers.TryAddWithoutValidation("x-amz-checksum-crc32c", crc32c);
        var putResponse = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, putResponse.StatusCode);
        Assert.Equal(crc32c, putResponse.Headers.GetValues("x-amz-checksum-crc32c").Single());

        var plain = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "b/k"));
        Assert.False(plain.Headers.Contains("x-amz-checksum-crc32c"));

        var head = new HttpRequestMessage(HttpMethod.Head, "b/k");
        head.Headers.TryAddWithoutValidation("x-amz-checksum-mode", "ENABLED");
        var headResponse = await http.SendAsync(head);
        Assert.Equal(crc32c, headResponse.Headers.GetValues("x-amz-checksum-crc32c").Single());
        Assert.Equal("FULL_OBJECT", headResponse.Headers.GetValues("x-amz-checksum-type").Single());
    }
}
