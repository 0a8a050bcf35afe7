using System.Net;
using S3Overlay.Storage.Checksums;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Auth;

/// <summary>x-amz-checksum-* headers on a PUT: verified while the body streams, stored, returned.</summary>
[FunctionalTests]
public class ChecksumHeaderTests
{
    private static readonly byte[] Body = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task A_checksum_header_that_does_not_match_is_bad_digest_and_nothing_is_stored()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "bkt", "other", Body);
        using var http = proxy.CreateHttpClient();

        var bad = new HttpRequestMessage(HttpMethod.Put, "bkt/k") { Content = new ByteArrayContent(Body) };
        bad.Headers.TryAddWithoutValidation("x-amz-checksum-crc32", ChecksumAlgorithm.Crc32.Compute("something else"u8));
        await AuthHttp.AssertErrorAsync(await http.SendAsync(bad), 400, "BadDigest");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("bkt/k")).StatusCode);

        var malformed = new HttpRequestMessage(HttpMethod.Put, "bkt/k") { Content = new ByteArrayContent(Body) };
        malformed.Headers.TryAddWithoutValidation("x-amz-checksum-sha256", "not base64 of 32 bytes");
        await AuthHttp.AssertErrorAsync(await http.SendAsync(malformed), 400, "InvalidRequest");
    }

    [Fact]
    public async Task A_matching_checksum_header_is_stored_and_returned_with_checksum_mode()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "bkt", "other", Body);
        using var http = proxy.CreateHttpClient();
        var crc32c = ChecksumAlgorithm.Crc32C.Compute(Body);

        var put = new HttpRequestMessage(HttpMethod.Put, "bkt/k") { Content = new ByteArrayContent(Body) };
        put.Headers.TryAddWithoutValidation("x-amz-checksum-crc32c", crc32c);
        var putResponse = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, putResponse.StatusCode);
        Assert.Equal(crc32c, putResponse.Headers.GetValues("x-amz-checksum-crc32c").Single());

        var plain = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "bkt/k"));
        Assert.False(plain.Headers.Contains("x-amz-checksum-crc32c"));

        var head = new HttpRequestMessage(HttpMethod.Head, "bkt/k");
        head.Headers.TryAddWithoutValidation("x-amz-checksum-mode", "ENABLED");
        var headResponse = await http.SendAsync(head);
        Assert.Equal(crc32c, headResponse.Headers.GetValues("x-amz-checksum-crc32c").Single());
        Assert.Equal("FULL_OBJECT", headResponse.Headers.GetValues("x-amz-checksum-type").Single());
    }

    [Fact]
    public async Task An_unsigned_payload_with_a_checksum_trailer_is_decoded_verified_and_stored()
    {
        await using var proxy = await ProxyServer.StartAsync();
        await AuthHttp.PutBucketWithObjectAsync(proxy, "bkt", "other", Body);
        using var http = proxy.CreateHttpClient(signed: false);

        async Task<HttpResponseMessage> PutAsync(byte[] encoded)
        {
            var put = new HttpRequestMessage(HttpMethod.Put, proxy.Url + "/bkt/k") { Content = new ByteArrayContent(encoded) };
            put.Content.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
            put.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", Body.Length.ToString());
            put.Headers.TryAddWithoutValidation("x-amz-trailer", "x-amz-checksum-crc32");
            await RequestSigner.SignAsync(put, payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
            return await http.SendAsync(put);
        }

        var wrong = AwsChunkedStreamTests.Encode(AwsChunkedStreamTests.Variant.UnsignedTrailer, Body, 1000, ChecksumAlgorithm.Crc32.Compute("x"u8));
        await AuthHttp.AssertErrorAsync(await PutAsync(wrong), 400, "BadDigest");

        var right = AwsChunkedStreamTests.Encode(AwsChunkedStreamTests.Variant.UnsignedTrailer, Body, 1000);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(right)).StatusCode);
        using var signed = proxy.CreateHttpClient();
        var get = new HttpRequestMessage(HttpMethod.Get, "bkt/k");
        get.Headers.TryAddWithoutValidation("x-amz-checksum-mode", "ENABLED");
        var response = await signed.SendAsync(get);
        Assert.Equal(Body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(ChecksumAlgorithm.Crc32.Compute(Body), response.Headers.GetValues("x-amz-checksum-crc32").Single());
        Assert.False(response.Content.Headers.Contains("Content-Encoding"));
    }
}
