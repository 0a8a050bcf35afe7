using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>A proxy with one bucket of 2,500 keys, where sub-folders sort between plain keys.</summary>
public sealed class ListingFixture : IAsyncLifetime
{
    public const string Bucket = "listing-2500";

    public S3Fixture S3 { get; } = new();

    /// <summary>
    /// <c>k0000</c>…<c>k1999</c>, plus ten keys in a folder beside every 40th of them
    /// (<c>k0040x/c3</c>), so common prefixes sort between plain keys.
    /// </summary>
    public static readonly string[] Keys =
        Enumerable.Range(0, 2000).Select(i => $"k{i:0000}")
            .Concat(Enumerable.Range(0, 50).SelectMany(j => Enumerable.Range(0, 10).Select(m => $"k{j * 40:0000}x/c{m}")))
            .ToArray();

    public async ValueTask InitializeAsync()
    {
        await S3.InitializeAsync();
        await S3.Client.PutBucketAsync(Bucket);
        await Parallel.ForEachAsync(Keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await S3.PutAsync(Bucket, key, key));
    }

    public async ValueTask DisposeAsync() => await S3.DisposeAsync();
}

[FunctionalTests]
public sealed class ListingTests(ListingFixture listing) : IClassFixture<ListingFixture>
{
    private S3Fixture S3 => listing.S3;

    /// <summary>What S3 must list: keys under the prefix, rolled up at the delimiter, in byte order.</summary>
    private static List<string> Expected(IEnumerable<string> keys, string prefix, string? delimiter) =>
        keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k =>
            {
                if (delimiter is null) return k;
                var at = k.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                return at < 0 ? k : k[..(at + delimiter.Length)];
            })
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [InlineData(null, "", 1000)]
    [InlineData("/", "", 1000)]
    [InlineData(null, "", 333)]
    [InlineData("/", "", 333)]
    [InlineData("/", "k1", 97)]
    [InlineData("/", "k0040x/", 3)]
    public async Task V2_pages_through_every_entry_once_in_order(string? delimiter, string prefix, int maxKeys)
    {
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        while (true)
        {
            var page = await S3.Client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = ListingFixture.Bucket, Prefix = prefix, Delimiter = delimiter, MaxKeys = maxKeys, ContinuationToken = token,
            });
            var entries = (page.S3Objects ?? []).Select(o => o.Key).Concat(page.CommonPrefixes ?? []).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(entries.Count, page.KeyCount);
            Assert.InRange(entries.Count, 1, maxKeys);
            seen.AddRange(entries);
            pages++;
            if (page.IsTruncated != true) break;
            Assert.Equal(maxKeys, entries.Count);
            token = page.NextContinuationToken;
            Assert.False(string.IsNullOrEmpty(token));
        }
        var expected = Expected(ListingFixture.Keys, prefix, delimiter);
        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + maxKeys - 1) / maxKeys, pages);
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("/", 1000)]
    [InlineData("/", 333)]
    [InlineData(null, 333)]
    public async Task V1_pages_through_every_entry_once_in_order(string? delimiter, int maxKeys)
    {
        var seen = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await S3.Client.ListObjectsAsync(new ListObjectsRequest
            {
                BucketName = ListingFixture.Bucket, Delimiter = delimiter, MaxKeys = maxKeys, Marker = marker,
            });
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            var entries = keys.Concat(page.CommonPrefixes ?? []).Order(StringComparer.Ordinal).ToList();
            seen.AddRange(entries);
            if (page.IsTruncated != true) break;
            // Without a delimiter S3 sends no NextMarker and the client resumes after the last key.
            marker = delimiter is null ? keys[^1] : page.NextMarker;
            Assert.Equal(entries[^1], marker);
        }
        Assert.Equal(Expected(ListingFixture.Keys, "", delimiter), seen);
    }

    [Fact]
    public async Task V1_sends_NextMarker_only_with_a_delimiter()
    {
        using var plain = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?max-keys=2");
        var root = await RawS3.XmlAsync(plain);
        Assert.Equal("true", root.First("IsTruncated"));
        Assert.Null(root.First("NextMarker"));
        Assert.Equal("", root.First("Marker"));
        Assert.NotNull(root.All("Contents").First().First("Owner"));

        using var delimited = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?max-keys=2&delimiter=%2F");
        var page = await RawS3.XmlAsync(delimited);
        Assert.Equal("k0000x/", page.First("NextMarker"));
        Assert.Equal(["k0000"], page.All("Contents").Select(c => c.First("Key")));
        Assert.Equal(["k0000x/"], page.All("CommonPrefixes").Select(c => c.First("Prefix")));
    }

    [Fact]
    public async Task V2_answer_has_S3s_shape()
    {
        using var response = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?list-type=2&max-keys=1&prefix=k0001&fetch-owner=true");
        var root = await RawS3.XmlAsync(response);
        Assert.Equal("{http://s3.amazonaws.com/doc/2006-03-01/}ListBucketResult", root.Name.ToString());
        Assert.Equal(ListingFixture.Bucket, root.First("Name"));
        Assert.Equal("k0001", root.First("Prefix"));
        Assert.Equal("1", root.First("MaxKeys"));
        Assert.Equal("1", root.First("KeyCount"));
        Assert.Equal("false", root.First("IsTruncated"));
        var contents = Assert.Single(root.All("Contents"));
        Assert.Equal("k0001", contents.First("Key"));
        Assert.Equal("5", contents.First("Size"));
        Assert.Equal("STANDARD", contents.First("StorageClass"));
        Assert.Matches("^\"[0-9a-f]{32}\"$", contents.First("ETag"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", contents.First("LastModified"));
        Assert.Equal("s3overlay", contents.First("DisplayName"));

        using var noOwner = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?list-type=2&max-keys=1");
        Assert.Null((await RawS3.XmlAsync(noOwner)).First("Owner"));
    }

    [Fact]
    public async Task Start_after_skips_to_the_next_key()
    {
        var page = await S3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ListingFixture.Bucket, StartAfter = "k1997", Delimiter = "/" });
        Assert.Equal(["k1998", "k1999"], (page.S3Objects ?? []).Select(o => o.Key));
        Assert.Equal("k1997", page.StartAfter);

        var nested = await S3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ListingFixture.Bucket, StartAfter = "k0040x/c7", MaxKeys = 3 });
        Assert.Equal(["k0040x/c8", "k0040x/c9", "k0041"], nested.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Max_keys_zero_is_an_empty_page_and_large_values_are_capped()
    {
        using var zero = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?list-type=2&max-keys=0");
        var root = await RawS3.XmlAsync(zero);
        Assert.Equal("0", root.First("KeyCount"));
        Assert.Empty(root.All("Contents"));

        using var big = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?list-type=2&max-keys=99999999999");
        var capped = await RawS3.XmlAsync(big);
        Assert.Equal("1000", capped.First("MaxKeys"));
        Assert.Equal(1000, capped.All("Contents").Count());
    }

    [Theory]
    [InlineData("list-type=2&max-keys=abc")]
    [InlineData("list-type=2&max-keys=-1")]
    [InlineData("max-keys=1.5")]
    [InlineData("list-type=2&continuation-token=%21%21not-a-token")]
    [InlineData("list-type=2&encoding-type=base64")]
    public async Task Bad_listing_parameters_are_InvalidArgument(string query)
    {
        using var response = await RawS3.SendAsync(S3.Proxy, HttpMethod.Get, $"/{ListingFixture.Bucket}?{query}");
        await RawS3.AssertErrorAsync(response, 400, "InvalidArgument");
    }

    [Fact]
    public async Task Listing_a_missing_bucket_is_NoSuchBucket()
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => S3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "no-such-bucket-here" }));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }
}
