using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// A proxy with a hidden bucket and hidden prefixes, seen through AWSSDK.S3 as a client would:
/// hidden names are absent from every listing, pages stay exact, hidden keys answer NoSuchKey.
/// </summary>
public sealed class HiddenObjectsFixture : IAsyncLifetime
{
    public const string Bucket = "docs";
    public const string SecretBucket = "secret-bucket";

    /// <summary>Visible keys interleaved with runs of hidden ones (<c>b/private/</c>, <c>d</c>…, all of <c>e/deep/</c>).</summary>
    public static readonly string[] Visible = ["a", "b/public.txt", "c", "e/open.txt", "f.txt", "zz"];
    public static readonly string[] Hidden =
        [.. Enumerable.Range(0, 12).Select(i => $"b/private/{i:00}"), "d", "d1", "d2/inner", "e/deep/one", "e/deep/two", "f/deep/x"];

    public ProxyServer Proxy { get; private set; } = null!;
    public AmazonS3Client Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_HIDDEN_BUCKETS"] = SecretBucket,
            // "f/deep/" is all there is of the folder "f/", so "f/" must vanish from delimiter listings too.
            ["S3_OVERLAY_HIDDEN_PREFIXES"] = "docs/b/private/, docs/d, docs/e/deep/, docs/f/deep/",
        });
        Client = Proxy.CreateClient(defaults: false);
        await Client.PutBucketAsync(Bucket);
        await Client.PutBucketAsync(SecretBucket);
        await Client.PutBucketAsync("other");
        foreach (var key in Visible.Concat(Hidden))
            await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = key, UseChunkEncoding = false });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = SecretBucket, Key = "k", ContentBody = "secret", UseChunkEncoding = false });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
    }
}

[FunctionalTests]
public sealed class HiddenObjectsTests(HiddenObjectsFixture f) : IClassFixture<HiddenObjectsFixture>
{
    [Fact]
    public async Task Hidden_buckets_are_left_out_of_ListBuckets_but_readable_by_name()
    {
        var names = (await f.Client.ListBucketsAsync()).Buckets.Select(b => b.BucketName).ToList();
        Assert.Equal(["docs", "other"], names.Order(StringComparer.Ordinal));

        using var get = await f.Client.GetObjectAsync(HiddenObjectsFixture.SecretBucket, "k");
        Assert.Equal("secret", await new StreamReader(get.ResponseStream).ReadToEndAsync());
        var listed = await f.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = HiddenObjectsFixture.SecretBucket });
        Assert.Equal(["k"], listed.S3Objects.Select(o => o.Key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public async Task ListObjectsV2_pages_past_hidden_keys_exactly(int maxKeys)
    {
        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await f.Client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = HiddenObjectsFixture.Bucket, MaxKeys = maxKeys, ContinuationToken = token,
            });
            pages++;
            // Never an empty page that claims more, never a short page before the end.
            Assert.True(page.KeyCount == maxKeys || page.IsTruncated != true, $"page {pages}: {page.KeyCount} keys, truncated {page.IsTruncated}");
            Assert.True(page.KeyCount > 0, $"page {pages} is empty");
            seen.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);

        Assert.Equal(HiddenObjectsFixture.Visible.Order(StringComparer.Ordinal), seen);
        Assert.Equal((HiddenObjectsFixture.Visible.Length + maxKeys - 1) / maxKeys, pages);
    }

    [Fact]
    public async Task Delimiter_listings_hide_folders_that_hold_only_hidden_keys()
    {
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await f.Client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = HiddenObjectsFixture.Bucket, Delimiter = "/", MaxKeys = 1, ContinuationToken = token,
            });
            seen.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            seen.AddRange(page.CommonPrefixes ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        // "d2/" holds only hidden keys (under "d"); "f/" only "f/deep/x"; "b/" and "e/" keep a visible key each.
        Assert.Equal(["a", "b/", "c", "e/", "f.txt", "zz"], seen);

        var inside = await f.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = HiddenObjectsFixture.Bucket, Prefix = "b/", Delimiter = "/" });
        Assert.Equal(["b/public.txt"], inside.S3Objects.Select(o => o.Key));
        Assert.Null(inside.CommonPrefixes);
    }

    [Fact]
    public async Task ListObjects_V1_leaves_hidden_keys_out_across_markers()
    {
        var seen = new List<string>();
        string? marker = null;
        while (true)
        {
            var page = await f.Client.ListObjectsAsync(new ListObjectsRequest { BucketName = HiddenObjectsFixture.Bucket, MaxKeys = 2, Marker = marker });
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            if (page.IsTruncated != true) break;
            marker = page.S3Objects[^1].Key;
        }
        Assert.Equal(HiddenObjectsFixture.Visible.Order(StringComparer.Ordinal), seen);
    }

    [Theory]
    [InlineData("b/private/03")]
    [InlineData("d1")]
    [InlineData("e/deep/one")]
    public async Task Hidden_keys_answer_NoSuchKey_to_GET_HEAD_and_copy(string key)
    {
        var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => f.Client.GetObjectAsync(HiddenObjectsFixture.Bucket, key));
        Assert.Equal("NoSuchKey", get.ErrorCode);
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => f.Client.GetObjectMetadataAsync(HiddenObjectsFixture.Bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        var copy = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => f.Client.CopyObjectAsync(HiddenObjectsFixture.Bucket, key, "other", "copy"));
        Assert.Equal("NoSuchKey", copy.ErrorCode);

        using var visible = await f.Client.GetObjectAsync(HiddenObjectsFixture.Bucket, "e/open.txt");
        Assert.Equal("e/open.txt", await new StreamReader(visible.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task A_prefix_setting_without_a_bucket_stops_start_up()
    {
        var e = await Assert.ThrowsAsync<Configuration.SettingException>(() =>
            ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_HIDDEN_PREFIXES"] = "nobucket" }));
        Assert.Contains("S3_OVERLAY_HIDDEN_PREFIXES", e.Message);
    }
}
