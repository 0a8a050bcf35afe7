using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class RangeAndConditionalTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private static readonly byte[] Body = S3Fixture.Pattern(1000);

    [Theory]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=0-999", 0, 999)]
    [InlineData("bytes=999-999", 999, 999)]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=990-5000", 990, 999)]
    [InlineData("bytes=500-", 500, 999)]
    [InlineData("bytes=999-", 999, 999)]
    [InlineData("bytes=-1", 999, 999)]
    [InlineData("bytes=-100", 900, 999)]
    [InlineData("bytes=-1000", 0, 999)]
    [InlineData("bytes=-5000", 0, 999)]
    public async Task Satisfiable_range_is_206_with_exactly_those_bytes(string range, int first, int last)
    {
        var bucket = await PutBodyAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/obj", configure: r => r.Headers.TryAddWithoutValidation("Range", range));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/1000", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(last - first + 1, response.Content.Headers.ContentLength);
        Assert.Equal(Body[first..(last + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    public async Task Unsatisfiable_range_is_416_with_the_size(string range)
    {
        var bucket = await PutBodyAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/obj", configure: r => r.Headers.TryAddWithoutValidation("Range", range));
        await RawS3.AssertErrorAsync(response, 416, "InvalidRange");
        Assert.Equal("bytes */1000", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Range_on_an_empty_object_is_416()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "empty", []);
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/empty", configure: r => r.Headers.TryAddWithoutValidation("Range", "bytes=0-"));
        await RawS3.AssertErrorAsync(response, 416, "InvalidRange");
        Assert.Equal("bytes */0", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=abc")]
    [InlineData("items=0-5")]
    public async Task Multiple_or_unparseable_ranges_serve_the_whole_object(string range)
    {
        var bucket = await PutBodyAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/obj", configure: r => r.Headers.TryAddWithoutValidation("Range", range));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Content.Headers.Contains("Content-Range"));
        Assert.Equal(Body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_with_a_range_is_200_with_the_full_length()
    {
        var bucket = await PutBodyAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, $"/{bucket}/obj", configure: r => r.Headers.TryAddWithoutValidation("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Sdk_byte_range_reads_the_slice()
    {
        var bucket = await PutBodyAsync();
        using var get = await s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", ByteRange = new ByteRange(100, 199) });
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(Body[100..200], copy.ToArray());
        Assert.Equal("bytes 100-199/1000", get.ContentRange);
    }

    [Fact]
    public async Task ETag_conditions_give_304_and_412_on_get_and_head()
    {
        var bucket = await PutBodyAsync();
        var etag = (await s3.Client.GetObjectMetadataAsync(bucket, "obj")).ETag;

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            await ExpectAsync(method, bucket, "If-None-Match", etag, HttpStatusCode.NotModified);
            await ExpectAsync(method, bucket, "If-None-Match", "*", HttpStatusCode.NotModified);
            await ExpectAsync(method, bucket, "If-None-Match", "\"other\"", HttpStatusCode.OK);
            await ExpectAsync(method, bucket, "If-Match", etag, HttpStatusCode.OK);
            await ExpectAsync(method, bucket, "If-Match", "\"other\", " + etag, HttpStatusCode.OK);
            await ExpectAsync(method, bucket, "If-Match", "\"other\"", HttpStatusCode.PreconditionFailed);
        }

        using var notModified = await SendAsync(HttpMethod.Get, bucket, "If-None-Match", etag);
        Assert.Equal(etag, notModified.Headers.ETag?.ToString());
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        using var failed = await SendAsync(HttpMethod.Get, bucket, "If-Match", "\"other\"");
        await RawS3.AssertErrorAsync(failed, 412, "PreconditionFailed");
    }

    [Fact]
    public async Task Date_conditions_give_304_and_412()
    {
        var bucket = await PutBodyAsync();
        var past = DateTime.UtcNow.AddDays(-1).ToString("R");
        var future = DateTime.UtcNow.AddDays(1).ToString("R");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            await ExpectAsync(method, bucket, "If-Modified-Since", past, HttpStatusCode.OK);
            await ExpectAsync(method, bucket, "If-Modified-Since", future, HttpStatusCode.NotModified);
            await ExpectAsync(method, bucket, "If-Unmodified-Since", future, HttpStatusCode.OK);
            await ExpectAsync(method, bucket, "If-Unmodified-Since", past, HttpStatusCode.PreconditionFailed);
            await ExpectAsync(method, bucket, "If-Modified-Since", "not a date", HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Sdk_conditions_surface_as_exceptions()
    {
        var bucket = await PutBodyAsync();
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", EtagToMatch = "\"nope\"" }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, e.StatusCode);
        var ok = await s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", ModifiedSinceDate = DateTime.UtcNow.AddHours(-1) });
        ok.Dispose();
    }

    private async Task ExpectAsync(HttpMethod method, string bucket, string header, string value, HttpStatusCode expected)
    {
        using var response = await SendAsync(method, bucket, header, value);
        Assert.True(expected == response.StatusCode, $"{method} {header}: {value} gave {(int)response.StatusCode}, expected {(int)expected}");
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string bucket, string header, string value) =>
        RawS3.SendAsync(s3.Proxy, method, $"/{bucket}/obj", configure: r => r.Headers.TryAddWithoutValidation(header, value));

    private async Task<string> PutBodyAsync()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "obj", Body);
        return bucket;
    }
}
