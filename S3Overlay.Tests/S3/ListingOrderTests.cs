using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class ListingOrderTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Keys_sort_by_bytes_across_folders()
    {
        var bucket = await s3.NewBucketAsync();
        // A file system cannot hold "a" beside "a/b"; "a0" sorts just after the folder "a/".
        string[] keys = ["a/b", "a-b", "a0", "a/c/d", "b", "a.b", "A", "é", "z/"];
        foreach (var key in keys) await s3.PutAsync(bucket, key, key);

        var flat = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["A", "a-b", "a.b", "a/b", "a/c/d", "a0", "b", "z/", "é"], flat.S3Objects.Select(o => o.Key));

        var delimited = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
        Assert.Equal(["A", "a-b", "a.b", "a0", "b", "é"], delimited.S3Objects.Select(o => o.Key));
        Assert.Equal(["a/", "z/"], delimited.CommonPrefixes);

        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 1, ContinuationToken = token });
            paged.AddRange((page.S3Objects ?? []).Select(o => o.Key).Concat(page.CommonPrefixes ?? []));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        Assert.Equal(["A", "a-b", "a.b", "a/", "a0", "b", "z/", "é"], paged);
    }

    [Fact]
    public async Task Url_encoding_type_encodes_keys_prefixes_and_delimiter()
    {
        var bucket = await s3.NewBucketAsync();
        foreach (var key in new[] { "a b", "c+d", "e%f", "ü/x", "q?r&s=t", "quux ab/x" }) await s3.PutAsync(bucket, key, "x");

        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}?list-type=2&encoding-type=url&delimiter=%2F&start-after=a%20");
        var root = await RawS3.XmlAsync(response);
        Assert.Equal("url", root.First("EncodingType"));
        Assert.Equal("/", root.First("Delimiter"));
        // A space is %20, never + (s3-tests' test_bucket_list_encoding_basic: "quux%20ab/").
        Assert.Equal("a%20", root.First("StartAfter"));
        Assert.Equal(["a%20b", "c%2Bd", "e%25f", "q%3Fr%26s%3Dt"], root.All("Contents").Select(c => c.First("Key")));
        Assert.Equal(["quux%20ab/", "%C3%BC/"], root.All("CommonPrefixes").Select(c => c.First("Prefix")));

        // The .NET SDK hands the encoded keys over as they came; percent-decoding, with or without
        // form rules, gives back exactly the keys that were written.
        var sdk = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Encoding = EncodingType.Url });
        Assert.Equal(["a b", "c+d", "e%f", "q?r&s=t", "quux ab/x", "ü/x"], sdk.S3Objects.Select(o => System.Net.WebUtility.UrlDecode(o.Key)));
        Assert.Equal(["a b", "c+d", "e%f", "q?r&s=t", "quux ab/x", "ü/x"], sdk.S3Objects.Select(o => Uri.UnescapeDataString(o.Key)));

        using var v1 = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}?encoding-type=url&prefix=%C3%BC%2F&marker=%C3%BC");
        var v1Root = await RawS3.XmlAsync(v1);
        Assert.Equal("%C3%BC/", v1Root.First("Prefix"));
        Assert.Equal("%C3%BC", v1Root.First("Marker"));
        Assert.Equal(["%C3%BC/x"], v1Root.All("Contents").Select(c => c.First("Key")));
    }
}
