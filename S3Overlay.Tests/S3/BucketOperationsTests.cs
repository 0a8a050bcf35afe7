using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class BucketOperationsTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Created_bucket_is_listed_headed_and_deleted()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var bucket = await s3.NewBucketAsync();

        var list = await s3.Client.ListBucketsAsync();
        var listed = Assert.Single(list.Buckets, b => b.BucketName == bucket);
        Assert.InRange(listed.CreationDate!.Value.ToUniversalTime(), before.UtcDateTime, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal("s3overlay", list.Owner.DisplayName);

        using var head = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, "/" + bucket);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("us-east-1", head.Headers.GetValues("x-amz-bucket-region").Single());

        await s3.Client.DeleteBucketAsync(bucket);
        using var gone = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, "/" + bucket);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain((await s3.Client.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == bucket);
    }

    [Fact]
    public async Task Creating_a_bucket_you_own_again_in_us_east_1_answers_200_for_its_ACL_and_BucketAlreadyExists_for_another()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "kept.txt", "x");
        Assert.Equal(HttpStatusCode.OK, (await s3.Client.PutBucketAsync(bucket)).HttpStatusCode);
        Assert.Equal("kept.txt", Assert.Single((await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects).Key);

        await s3.Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead });
        var other = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.PutBucketAsync(bucket));
        Assert.Equal((HttpStatusCode.Conflict, "BucketAlreadyExists"), (other.StatusCode, other.ErrorCode));
        Assert.Equal(2, (await s3.Client.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket })).Grants.Count);
        var same = await s3.Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket, CannedACL = S3CannedACL.PublicRead });
        Assert.Equal(HttpStatusCode.OK, same.HttpStatusCode);
    }

    [Fact]
    public async Task Creating_an_existing_bucket_elsewhere_than_us_east_1_is_BucketAlreadyOwnedByYou()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_REGION"] = "eu-central-1" });
        using var client = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey, defaults: false);
        ((Amazon.S3.AmazonS3Config)client.Config).AuthenticationRegion = "eu-central-1";
        await client.PutBucketAsync("owned-twice");
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.PutBucketAsync("owned-twice"));
        Assert.Equal("BucketAlreadyOwnedByYou", e.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
    }

    [Fact]
    public async Task CreateBucketConfiguration_body_is_accepted()
    {
        const string body = """<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>""";
        var bucket = "config-" + Guid.NewGuid().ToString("N")[..12];
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, "/" + bucket, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/" + bucket, response.Headers.Location?.OriginalString);
        await s3.Client.GetBucketLocationAsync(bucket);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi")] // 64
    [InlineData("UpperCase")]
    [InlineData("under_score")]
    [InlineData("double..dot")]
    [InlineData("-leading-dash")]
    [InlineData("trailing-dash-")]
    [InlineData(".leading-dot")]
    [InlineData("192.168.10.20")]
    [InlineData("xn--punycode")]
    [InlineData("name-s3alias")]
    [InlineData("sthree-configurator-x")]
    [InlineData("amzn-s3-demo-bucket")]
    [InlineData("name--ol-s3")]
    [InlineData("name.mrap")]
    [InlineData("name--x-s3")]
    [InlineData("name--table-s3")]
    public async Task Invalid_bucket_names_are_refused_and_nothing_is_created(string name)
    {
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, "/" + name);
        await RawS3.AssertErrorAsync(response, 400, "InvalidBucketName");
        Assert.False(Directory.Exists(Path.Combine(s3.Proxy.DataDir, name)));
    }

    [Fact]
    public async Task Deleting_a_non_empty_bucket_is_BucketNotEmpty_and_a_missing_one_NoSuchBucket()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "keep", "x");
        var notEmpty = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.DeleteBucketAsync(bucket));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        Assert.Equal("x", await s3.GetTextAsync(bucket, "keep"));

        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.DeleteBucketAsync("no-such-bucket-here"));
        Assert.Equal("NoSuchBucket", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Location_is_empty_for_us_east_1_and_versioning_is_unconfigured()
    {
        var bucket = await s3.NewBucketAsync();
        using var location = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}?location");
        var root = await RawS3.XmlAsync(location);
        Assert.Equal("{http://s3.amazonaws.com/doc/2006-03-01/}LocationConstraint", root.Name.ToString());
        Assert.Equal("", root.Value);

        var versioning = await s3.Client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        Assert.Equal(HttpStatusCode.OK, versioning.HttpStatusCode);
        Assert.NotEqual(VersionStatus.Enabled, versioning.VersioningConfig.Status);

        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetBucketLocationAsync("no-such-bucket-here"));
        Assert.Equal("NoSuchBucket", missing.ErrorCode);
    }

    [Fact]
    public async Task Location_and_region_header_name_the_configured_region()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_REGION"] = "eu-central-1" });
        using var client = proxy.CreateClient(defaults: false);
        await client.PutBucketAsync("regional");

        var location = await client.GetBucketLocationAsync("regional");
        Assert.Equal("eu-central-1", location.Location.Value);
        using var head = await RawS3.SendAsync(proxy, HttpMethod.Head, "/regional");
        Assert.Equal("eu-central-1", head.Headers.GetValues("x-amz-bucket-region").Single());
    }

    [Fact]
    public async Task An_empty_continuation_token_means_none()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "a.txt", "a");
        await s3.PutAsync(bucket, "b.txt", "b");
        using var http = s3.Proxy.CreateHttpClient();
        var page = await http.GetStringAsync($"{bucket}?list-type=2&continuation-token=");
        Assert.Contains("<Key>a.txt</Key>", page);
        Assert.Contains("<Key>b.txt</Key>", page);
        Assert.DoesNotContain("<ContinuationToken>", page);
    }

    [Fact]
    public async Task ListBuckets_pages_with_max_buckets_and_an_opaque_continuation_token_within_a_prefix()
    {
        var prefix = "pg" + Guid.NewGuid().ToString("N")[..8];
        var names = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var name in names) await s3.Client.PutBucketAsync(name);
        await s3.Client.PutBucketAsync("other-" + prefix);

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await s3.Client.ListBucketsAsync(new ListBucketsRequest { Prefix = prefix, MaxBuckets = 2, ContinuationToken = token });
            Assert.True(page.Buckets.Count <= 2, $"a page of {page.Buckets.Count} buckets");
            seen.AddRange(page.Buckets.Select(b => b.BucketName));
            token = page.ContinuationToken;
            pages++;
        } while (token is not null && pages < 10);
        Assert.Equal(names, seen);
        Assert.Equal(3, pages);

        Assert.Empty((await s3.Client.ListBucketsAsync(new ListBucketsRequest { Prefix = prefix, BucketRegion = "eu-west-3" })).Buckets ?? []);
        using var zero = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, "/?max-buckets=0");
        await RawS3.AssertErrorAsync(zero, 400, "InvalidArgument");
        using var badToken = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, "/?max-buckets=1&continuation-token=%25%25");
        await RawS3.AssertErrorAsync(badToken, 400, "InvalidArgument");
    }
}
