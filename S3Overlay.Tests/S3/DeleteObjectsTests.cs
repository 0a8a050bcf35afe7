using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class DeleteObjectsTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Verbose_delete_reports_every_key_and_removes_them()
    {
        var bucket = await s3.NewBucketAsync();
        foreach (var key in new[] { "a", "b/c", "keep" }) await s3.PutAsync(bucket, key, key);

        var response = await s3.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "b/c" }, new KeyVersion { Key = "never-existed" }],
        });
        Assert.Equal(["a", "b/c", "never-existed"], response.DeletedObjects.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Empty(response.DeleteErrors ?? []);

        var left = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal("keep", Assert.Single(left.S3Objects).Key);
    }

    [Fact]
    public async Task Quiet_delete_reports_nothing_but_deletes()
    {
        var bucket = await s3.NewBucketAsync();
        for (var i = 0; i < 5; i++) await s3.PutAsync(bucket, $"k{i}", "x");

        var response = await s3.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket, Quiet = true,
            Objects = Enumerable.Range(0, 5).Select(i => new KeyVersion { Key = $"k{i}" }).ToList(),
        });
        Assert.Empty(response.DeletedObjects ?? []);
        Assert.Empty(response.DeleteErrors ?? []);
        Assert.Empty((await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact]
    public async Task Raw_request_with_Content_MD5_and_namespaced_xml_is_answered_in_S3_xml()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "x y", "1");
        var xml = """<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>x y</Key></Object></Delete>""";
        using var response = await PostAsync(bucket, xml, Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes(xml))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = await RawS3.XmlAsync(response);
        Assert.Equal("{http://s3.amazonaws.com/doc/2006-03-01/}DeleteResult", root.Name.ToString());
        Assert.Equal("x y", root.First("Key"));
    }

    [Theory]
    [InlineData("<Delete><Object><Key>a</Key></Object>")]
    [InlineData("not xml at all")]
    [InlineData("<Delete></Delete>")]
    [InlineData("<Delete><Object><Key></Key></Object></Delete>")]
    [InlineData("<Remove><Object><Key>a</Key></Object></Remove>")]
    [InlineData("<!DOCTYPE Delete [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&x;</Key></Object></Delete>")]
    public async Task Malformed_xml_is_MalformedXML_and_deletes_nothing(string xml)
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "a", "still here");
        using var response = await PostAsync(bucket, xml);
        await RawS3.AssertErrorAsync(response, 400, "MalformedXML");
        Assert.Equal("still here", await s3.GetTextAsync(bucket, "a"));
    }

    [Fact]
    public async Task More_than_1000_keys_is_MalformedXML()
    {
        var bucket = await s3.NewBucketAsync();
        var xml = "<Delete>" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"<Object><Key>k{i}</Key></Object>")) + "</Delete>";
        using var response = await PostAsync(bucket, xml);
        await RawS3.AssertErrorAsync(response, 400, "MalformedXML");
    }

    [Fact]
    public async Task Wrong_Content_MD5_is_BadDigest_and_deletes_nothing()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "a", "still here");
        using var response = await PostAsync(bucket, "<Delete><Object><Key>a</Key></Object></Delete>", Convert.ToBase64String(MD5.HashData("other"u8)));
        await RawS3.AssertErrorAsync(response, 400, "BadDigest");
        Assert.Equal("still here", await s3.GetTextAsync(bucket, "a"));
    }

    [Fact]
    public async Task Missing_bucket_is_NoSuchBucket()
    {
        using var response = await PostAsync("no-such-bucket-here", "<Delete><Object><Key>a</Key></Object></Delete>");
        await RawS3.AssertErrorAsync(response, 404, "NoSuchBucket");
    }

    private Task<HttpResponseMessage> PostAsync(string bucket, string xml, string? md5 = null) =>
        RawS3.SendAsync(s3.Proxy, HttpMethod.Post, $"/{bucket}?delete", xml, r =>
        {
            if (md5 is not null) r.Content!.Headers.TryAddWithoutValidation("Content-MD5", md5);
        });
}
