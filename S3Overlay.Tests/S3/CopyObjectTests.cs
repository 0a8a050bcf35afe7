using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class CopyObjectTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Copy_keeps_bytes_and_metadata_by_default()
    {
        var source = await s3.NewBucketAsync();
        var target = await s3.NewBucketAsync();
        var body = S3Fixture.Pattern(300_000);
        var put = await s3.PutAsync(source, "src/ключ key+1", body, r => { r.ContentType = "text/x-source"; r.Metadata["origin"] = "source"; });

        var copy = await s3.Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = source, SourceKey = "src/ключ key+1", DestinationBucket = target, DestinationKey = "dst/copy",
            ContentType = "ignored/without-replace",
        });
        Assert.Equal(put.ETag, copy.ETag);

        using var get = await s3.Client.GetObjectAsync(target, "dst/copy");
        using var bytes = new MemoryStream();
        await get.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(body, bytes.ToArray());
        Assert.Equal("text/x-source", get.Headers.ContentType);
        Assert.Equal("source", get.Metadata["origin"]);
        Assert.Equal(body, await s3.GetBytesAsync(source, "src/ключ key+1"));
    }

    [Fact]
    public async Task Copy_with_REPLACE_takes_the_new_metadata_and_may_target_itself()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "doc", "same bytes", r => { r.ContentType = "text/plain"; r.Metadata["old"] = "1"; });

        var request = new CopyObjectRequest
        {
            SourceBucket = bucket, SourceKey = "doc", DestinationBucket = bucket, DestinationKey = "doc",
            MetadataDirective = S3MetadataDirective.REPLACE, ContentType = "text/markdown",
        };
        request.Metadata["new"] = "2";
        await s3.Client.CopyObjectAsync(request);

        using var get = await s3.Client.GetObjectAsync(bucket, "doc");
        Assert.Equal("same bytes", new StreamReader(get.ResponseStream).ReadToEnd());
        Assert.Equal("text/markdown", get.Headers.ContentType);
        Assert.Equal("2", get.Metadata["new"]);
        Assert.DoesNotContain("x-amz-meta-old", get.Metadata.Keys);
    }

    [Fact]
    public async Task Copy_onto_itself_without_REPLACE_is_InvalidRequest()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "self", "x");
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.CopyObjectAsync(bucket, "self", bucket, "self"));
        Assert.Equal("InvalidRequest", e.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
    }

    [Fact]
    public async Task Copy_source_conditions_fail_with_412()
    {
        var bucket = await s3.NewBucketAsync();
        var etag = (await s3.PutAsync(bucket, "src", "conditional")).ETag;
        var past = DateTime.UtcNow.AddDays(-1);
        var future = DateTime.UtcNow.AddDays(1);

        async Task<HttpStatusCode> Copy(Action<CopyObjectRequest> conditions)
        {
            var request = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "dst" };
            conditions(request);
            try
            {
                return (await s3.Client.CopyObjectAsync(request)).HttpStatusCode;
            }
            catch (AmazonS3Exception e)
            {
                Assert.Equal("PreconditionFailed", e.ErrorCode);
                return e.StatusCode;
            }
        }

        Assert.Equal(HttpStatusCode.OK, await Copy(r => r.ETagToMatch = etag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await Copy(r => r.ETagToMatch = "\"other\""));
        Assert.Equal(HttpStatusCode.OK, await Copy(r => r.ETagToNotMatch = "\"other\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await Copy(r => r.ETagToNotMatch = etag));
        Assert.Equal(HttpStatusCode.OK, await Copy(r => r.ModifiedSinceDate = past));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await Copy(r => r.ModifiedSinceDate = future));
        Assert.Equal(HttpStatusCode.OK, await Copy(r => r.UnmodifiedSinceDate = future));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await Copy(r => r.UnmodifiedSinceDate = past));
    }

    [Fact]
    public async Task Copy_source_header_forms_are_understood()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "a dir/file 1.txt", "payload");

        foreach (var source in new[] { $"{bucket}/a%20dir/file%201.txt", $"/{bucket}/a%20dir/file%201.txt", $"{bucket}/a%20dir/file%201.txt?versionId=null" })
        {
            using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/copied", new ByteArrayContent([]),
                r => r.Headers.TryAddWithoutValidation("x-amz-copy-source", source));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await RawS3.XmlAsync(response);
            Assert.Equal("CopyObjectResult", result.Name.LocalName);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", result.First("LastModified"));
            Assert.Equal("\"321c3cf486ed509164edec1e1981fec8\"", result.First("ETag"));
            Assert.Equal("payload", await s3.GetTextAsync(bucket, "copied"));
        }
    }

    [Theory]
    [InlineData("just-a-bucket", 400, "InvalidArgument")]
    [InlineData("/", 400, "InvalidArgument")]
    [InlineData("%2e%2e/etc/passwd", 400, "InvalidBucketName")]
    [InlineData("no-such-bucket-here/key", 404, "NoSuchBucket")]
    public async Task Bad_copy_sources_are_S3_errors(string source, int status, string code)
    {
        var bucket = await s3.NewBucketAsync();
        using var response = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/copied", new ByteArrayContent([]),
            r => r.Headers.TryAddWithoutValidation("x-amz-copy-source", source));
        await RawS3.AssertErrorAsync(response, status, code);
    }

    [Fact]
    public async Task Copy_of_a_missing_key_is_NoSuchKey()
    {
        var bucket = await s3.NewBucketAsync();
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.CopyObjectAsync(bucket, "absent", bucket, "dst"));
        Assert.Equal("NoSuchKey", e.ErrorCode);
    }
}
