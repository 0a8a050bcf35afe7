using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// One remote key holding a control character (XML 1.0 cannot carry U+0001;
/// S3 and s3rver write it as <c>&amp;#x1;</c> in listing XML) must not make every listing of its
/// bucket through the overlay a 502. Every control character, paged with <c>encoding-type=url</c> and read plain,
/// beside keys holding <c>%</c>, <c>+</c> and a space, which a decoding mistake would change.
/// </summary>
[FunctionalTests]
public sealed class RemoteKeyCharacterListingTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task Remote_keys_with_control_characters_list_through_the_overlay()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        var keys = Enumerable.Range(1, 31).Select(c => $"ctl/{(char)c}{c:D2}")
            .Concat(["ctl/100%.csv", "ctl/a+b", "ctl/a b", "ctl/\u007f"])
            .ToList();
        foreach (var key in keys)
            await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = key, UseChunkEncoding = false });

        var expected = keys.Order(StringComparer.Ordinal).ToList();
        var listed = new List<string>();
        var request = new ListObjectsV2Request { BucketName = env.Bucket, Prefix = "ctl/", MaxKeys = 7, Encoding = Amazon.S3.EncodingType.Url };
        ListObjectsV2Response page;
        do
        {
            page = await env.Client.ListObjectsV2Async(request);
            listed.AddRange((page.S3Objects ?? []).Select(o => Uri.UnescapeDataString(o.Key)));
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
        Assert.Equal(expected, listed);

        // Without encoding-type the answer carries them as S3 writes them (&#x1;): a listing, not a 502.
        using var plain = await RawS3.SendAsync(env.Proxy, HttpMethod.Get, $"/{env.Bucket}?list-type=2&prefix=ctl%2F");
        Assert.Equal(System.Net.HttpStatusCode.OK, plain.StatusCode);
        var text = await plain.Content.ReadAsStringAsync();
        Assert.Equal(keys.Count, text.Split("<Key>").Length - 1);

        // And every such key reads back through the overlay.
        var unread = new List<string>();
        foreach (var key in keys)
        {
            try
            {
                using var got = await env.Client.GetObjectAsync(env.Bucket, key);
                Assert.Equal(key, await new StreamReader(got.ResponseStream).ReadToEndAsync());
            }
            catch (Amazon.S3.AmazonS3Exception e)
            {
                unread.Add($"{Uri.EscapeDataString(key)}: {e.ErrorCode}");
            }
        }
        Assert.Empty(unread);
    }
}
