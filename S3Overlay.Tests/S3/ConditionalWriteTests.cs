using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>Conditional PUTs, as S3 has them since 2024: If-None-Match: * and If-Match.</summary>
[FunctionalTests]
public sealed class ConditionalWriteTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task If_none_match_star_creates_once_and_then_answers_412()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "once", "first", r => r.IfNoneMatch = "*");

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutAsync(bucket, "once", "second", r => r.IfNoneMatch = "*"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("PreconditionFailed", refused.ErrorCode);
        Assert.Equal("first", await s3.GetTextAsync(bucket, "once"));
    }

    [Fact]
    public async Task If_match_replaces_only_the_named_version()
    {
        var bucket = await s3.NewBucketAsync();
        var v1 = await s3.PutAsync(bucket, "doc", "v1");
        await s3.PutAsync(bucket, "doc", "v2", r => r.IfMatch = v1.ETag);

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutAsync(bucket, "doc", "v3", r => r.IfMatch = v1.ETag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("v2", await s3.GetTextAsync(bucket, "doc"));
    }

    [Fact]
    public async Task If_none_match_with_an_etag_on_a_write_is_not_implemented()
    {
        var bucket = await s3.NewBucketAsync();
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutAsync(bucket, "x", "y", r => r.IfNoneMatch = "\"abc\""));
        Assert.Equal("NotImplemented", error.ErrorCode);
    }
}
