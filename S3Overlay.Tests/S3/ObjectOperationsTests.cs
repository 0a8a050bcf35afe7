using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

[FunctionalTests]
public sealed class ObjectOperationsTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Put_then_get_returns_the_bytes_content_headers_and_user_metadata()
    {
        var bucket = await s3.NewBucketAsync();
        var body = S3Fixture.Pattern(200_000);
        var put = await s3.PutAsync(bucket, "docs/report.bin", body, r =>
        {
            r.ContentType = "application/x-report";
            r.Headers.ContentDisposition = "attachment; filename=\"report.bin\"";
            r.Headers.ContentEncoding = "identity";
            r.Headers.CacheControl = "max-age=60";
            r.Headers["Content-Language"] = "en-GB";
            r.Headers.Expires = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            r.Metadata["Color"] = "blue";
            r.Metadata["x-amz-meta-shape"] = "round";
        });
        var md5 = '"' + Convert.ToHexStringLower(MD5.HashData(body)) + '"';
        Assert.Equal(md5, put.ETag);

        using var get = await s3.Client.GetObjectAsync(bucket, "docs/report.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
        Assert.Equal(md5, get.ETag);
        Assert.Equal(body.Length, get.ContentLength);
        Assert.Equal("application/x-report", get.Headers.ContentType);
        Assert.Equal("attachment; filename=\"report.bin\"", get.Headers.ContentDisposition);
        Assert.Equal("identity", get.Headers.ContentEncoding);
        Assert.Equal("max-age=60", get.Headers.CacheControl);
        Assert.Equal("en-GB", get.Headers["Content-Language"]);
        Assert.Equal("blue", get.Metadata["color"]);
        Assert.Equal("round", get.Metadata["shape"]);
        Assert.True(Math.Abs((get.LastModified!.Value.ToUniversalTime() - DateTime.UtcNow).TotalMinutes) < 5);

        using var raw = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/docs/report.bin");
        Assert.Equal("bytes", raw.Headers.AcceptRanges.Single());
        Assert.Equal("Wed, 02 Jan 2030 03:04:05 GMT", raw.Content.Headers.GetValues("Expires").Single());
        Assert.Matches(@"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$", raw.Content.Headers.GetValues("Last-Modified").Single());
        Assert.Equal("blue", raw.Headers.GetValues("x-amz-meta-color").Single());
    }

    [Fact]
    public async Task Object_without_content_type_is_served_as_binary_octet_stream()
    {
        var bucket = await s3.NewBucketAsync();
        using var put = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/plain", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("\"5289df737df57326fcdd22597afb1fac\"", put.Headers.ETag?.ToString());
        using var get = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/plain");
        Assert.Equal("binary/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 1, 2, 3 }, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        var bucket = await s3.NewBucketAsync();
        var put = await s3.PutAsync(bucket, "empty", []);
        Assert.Equal("\"d41d8cd98f00b204e9800998ecf8427e\"", put.ETag);

        Assert.Empty(await s3.GetBytesAsync(bucket, "empty"));
        var head = await s3.Client.GetObjectMetadataAsync(bucket, "empty");
        Assert.Equal(0, head.ContentLength);
        Assert.Equal(put.ETag, head.ETag);
        var listed = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(0, Assert.Single(listed.S3Objects).Size);
    }

    [Theory]
    [InlineData("with space.txt")]
    [InlineData("plus+sign")]
    [InlineData("100% sure")]
    [InlineData("percent%2Fencoded-looking")]
    [InlineData("unicode/ключ/日本語 ✓.txt")]
    [InlineData("deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/leaf")]
    [InlineData("question?mark&amp=1#hash")]
    [InlineData("tilde~quote'semi;colon:comma,")]
    public async Task Keys_with_special_characters_round_trip(string key)
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, key, "content of " + key);

        Assert.Equal("content of " + key, await s3.GetTextAsync(bucket, key));
        var head = await s3.Client.GetObjectMetadataAsync(bucket, key);
        Assert.Equal(Encoding.UTF8.GetByteCount("content of " + key), head.ContentLength);
        var listed = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(key, Assert.Single(listed.S3Objects).Key);

        await s3.Client.DeleteObjectAsync(bucket, key);
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetObjectAsync(bucket, key));
        Assert.Equal("NoSuchKey", e.ErrorCode);
    }

    [Fact]
    public async Task Content_MD5_is_verified()
    {
        var bucket = await s3.NewBucketAsync();
        var body = Encoding.UTF8.GetBytes("checked body");
        await s3.PutAsync(bucket, "good", body, r => r.MD5Digest = Convert.ToBase64String(MD5.HashData(body)));
        Assert.Equal(body, await s3.GetBytesAsync(bucket, "good"));

        var wrong = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            s3.PutAsync(bucket, "bad", body, r => r.MD5Digest = Convert.ToBase64String(MD5.HashData("other"u8))));
        Assert.Equal("BadDigest", wrong.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetObjectAsync(bucket, "bad"))).ErrorCode);

        using var malformed = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/malformed", new ByteArrayContent(body),
            r => r.Content!.Headers.TryAddWithoutValidation("Content-MD5", "not-base64!"));
        await RawS3.AssertErrorAsync(malformed, 400, "InvalidDigest");

        // Sent empty is sent: S3 refuses it rather than store an unchecked body.
        using var empty = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/empty-md5", new ByteArrayContent(body),
            r => r.Content!.Headers.TryAddWithoutValidation("Content-MD5", ""));
        await RawS3.AssertErrorAsync(empty, 400, "InvalidDigest");
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetObjectAsync(bucket, "empty-md5"))).ErrorCode);
    }

    [Fact]
    public async Task Overwrite_replaces_bytes_and_metadata()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "k", "first", r => r.Metadata["v"] = "1");
        await s3.PutAsync(bucket, "k", "second!", r => r.Metadata["w"] = "2");
        using var get = await s3.Client.GetObjectAsync(bucket, "k");
        Assert.Equal("second!", new StreamReader(get.ResponseStream).ReadToEnd());
        Assert.Equal("2", get.Metadata["w"]);
        Assert.DoesNotContain("x-amz-meta-v", get.Metadata.Keys);
    }

    [Fact]
    public async Task Overwrite_while_a_reader_streams_leaves_the_reader_on_the_old_version()
    {
        var bucket = await s3.NewBucketAsync();
        var oldBody = S3Fixture.Pattern(8 * 1024 * 1024);
        var newBody = Enumerable.Repeat((byte)0xAB, 1024).ToArray();
        await s3.PutAsync(bucket, "big", oldBody);

        using var reading = await s3.Client.GetObjectAsync(bucket, "big");
        var head = new byte[64 * 1024];
        await reading.ResponseStream.ReadExactlyAsync(head);
        await s3.PutAsync(bucket, "big", newBody);
        using var rest = new MemoryStream();
        await reading.ResponseStream.CopyToAsync(rest);

        Assert.Equal(oldBody, head.Concat(rest.ToArray()).ToArray());
        Assert.Equal(newBody, await s3.GetBytesAsync(bucket, "big"));
    }

    [Fact]
    public async Task Delete_answers_204_present_or_not()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "doomed", "x");
        using var first = await RawS3.SendAsync(s3.Proxy, HttpMethod.Delete, $"/{bucket}/doomed");
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using var again = await RawS3.SendAsync(s3.Proxy, HttpMethod.Delete, $"/{bucket}/doomed");
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetObjectAsync(bucket, "doomed"))).ErrorCode);
    }

    [Fact]
    public async Task Missing_objects_and_buckets_are_S3_errors()
    {
        var bucket = await s3.NewBucketAsync();
        using var get = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/nothing/here");
        await RawS3.AssertErrorAsync(get, 404, "NoSuchKey");
        using var head = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, $"/{bucket}/nothing");
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.True(head.Headers.Contains("x-amz-request-id"));
        using var noBucket = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, "/no-such-bucket-here/key", "x");
        await RawS3.AssertErrorAsync(noBucket, 404, "NoSuchBucket");
    }

    [Fact]
    public async Task Response_overrides_replace_the_stored_headers()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "file", "hello", r => r.ContentType = "text/plain");
        var request = new GetObjectRequest { BucketName = bucket, Key = "file" };
        request.ResponseHeaderOverrides.ContentType = "application/json";
        request.ResponseHeaderOverrides.ContentDisposition = "attachment; filename=\"x.json\"";
        request.ResponseHeaderOverrides.ContentLanguage = "fr";
        request.ResponseHeaderOverrides.CacheControl = "no-cache";
        request.ResponseHeaderOverrides.ContentEncoding = "identity";
        request.ResponseHeaderOverrides.Expires = "Thu, 01 Jan 2037 00:00:00 GMT";
        using var get = await s3.Client.GetObjectAsync(request);
        Assert.Equal("application/json", get.Headers.ContentType);
        Assert.Equal("attachment; filename=\"x.json\"", get.Headers.ContentDisposition);
        Assert.Equal("fr", get.Headers["Content-Language"]);
        Assert.Equal("no-cache", get.Headers.CacheControl);
        Assert.Equal("identity", get.Headers.ContentEncoding);
        Assert.Equal("hello", new StreamReader(get.ResponseStream).ReadToEnd());

        using var raw = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, $"/{bucket}/file?response-expires=Thu%2C%2001%20Jan%202037%2000%3A00%3A00%20GMT&response-content-type=a%2Fb");
        Assert.Equal("Thu, 01 Jan 2037 00:00:00 GMT", raw.Content.Headers.GetValues("Expires").Single());
        Assert.Equal("a/b", raw.Content.Headers.ContentType?.ToString());

        using var unicode = await RawS3.SendAsync(s3.Proxy, HttpMethod.Get, $"/{bucket}/file?response-content-disposition=attachment%3B%20filename%3D%22%C3%BCber.txt%22");
        Assert.Equal(HttpStatusCode.OK, unicode.StatusCode);
        Assert.Equal("attachment; filename=\"über.txt\"", unicode.Content.Headers.GetValues("Content-Disposition").Single());
    }

    [Fact]
    public async Task Head_returns_the_headers_without_a_body()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "h", S3Fixture.Pattern(1234), r => { r.ContentType = "image/png"; r.Metadata["a"] = "b"; });
        using var head = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, $"/{bucket}/h");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1234, head.Content.Headers.ContentLength);
        Assert.Equal("image/png", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal("b", head.Headers.GetValues("x-amz-meta-a").Single());
        Assert.NotNull(head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task User_metadata_over_2_KiB_is_MetadataTooLarge()
    {
        var bucket = await s3.NewBucketAsync();
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutAsync(bucket, "meta", "x", r => r.Metadata["big"] = new string('m', 2100)));
        Assert.Equal("MetadataTooLarge", e.ErrorCode);
        await s3.PutAsync(bucket, "meta", "x", r => r.Metadata["fits"] = new string('m', 2000));
        Assert.Equal(2000, (await s3.Client.GetObjectMetadataAsync(bucket, "meta")).Metadata["fits"].Length);
    }

    [Fact]
    public async Task Overlong_keys_are_KeyTooLongError()
    {
        var bucket = await s3.NewBucketAsync();
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutAsync(bucket, new string('k', 1025), "x"));
        Assert.Equal("KeyTooLongError", e.ErrorCode);
    }
}
