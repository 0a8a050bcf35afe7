using S3Overlay.Tests.Infrastructure;
using System.Security.Cryptography;
using S3Overlay.Storage;

namespace S3Overlay.Tests.Storage;

public abstract partial class ObjectStoreContract
{
    private Task<PartInfo> UploadPartAsync(string key, string uploadId, int number, byte[] data) =>
        Store.UploadPartAsync(Bucket, key, uploadId, number, new MemoryStream(data), new ObjectWrite { ContentLength = data.Length }, None);

    private string ExpectedMultipartETag(params byte[][] parts)
    {
        if (!MultipartETagsHavePartCount) return Md5ETag(parts.SelectMany(p => p).ToArray());
        var md5s = parts.SelectMany(MD5.HashData).ToArray();
        return $"\"{Convert.ToHexStringLower(MD5.HashData(md5s))}-{parts.Length}\"";
    }

    [Fact]
    public async Task Multipart_upload_assembles_the_parts_with_S3s_ETag_and_the_creators_metadata()
    {
        var metadata = new ObjectMetadata { ContentType = "video/x-contract", UserMetadata = new Dictionary<string, string> { ["origin"] = "mpu" } };
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "big/file.bin", new ObjectWrite { Metadata = metadata }, None);
        var one = RandomBytes(MinimumPartSize);
        var two = RandomBytes(MinimumPartSize + 17);
        var three = RandomBytes(1000);
        // Out of order, and part 2 uploaded twice: the last upload of a part number wins.
        var p3 = await UploadPartAsync("big/file.bin", uploadId, 3, three);
        var p2Before = await UploadPartAsync("big/file.bin", uploadId, 2, RandomBytes(MinimumPartSize));
        var p2 = await UploadPartAsync("big/file.bin", uploadId, 2, two);
        var p1 = await UploadPartAsync("big/file.bin", uploadId, 1, one);
        Assert.Equal(Md5ETag(two), p2.ETag);
        Assert.Equal(two.Length, p2.Size);

        // Parts are invisible until completion.
        Assert.Empty((await Store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "big/file.bin", ReadConditions.None, None));

        if (TracksMultipartUploads)
        {
            var listed = await Store.ListPartsAsync(Bucket, "big/file.bin", uploadId, 0, 1000, None);
            Assert.Equal([1, 2, 3], listed.Parts.Select(p => p.PartNumber));
            Assert.Equal([p1.ETag, p2.ETag, p3.ETag], listed.Parts.Select(p => p.ETag));
            Assert.Equal([(long)one.Length, two.Length, three.Length], listed.Parts.Select(p => p.Size));
            Assert.False(listed.IsTruncated);
        }

        var done = await Store.CompleteMultipartUploadAsync(Bucket, "big/file.bin", uploadId,
            // A client may list both answers for part 2, in the order they came: the part is the one stored.
            [new(1, p1.ETag), new(2, p2Before.ETag), new(2, p2.ETag), new(3, p3.ETag)], null, WriteCondition.None, None);
        var expectedETag = ExpectedMultipartETag(one, two, three);
        Assert.Equal(expectedETag, done.ETag);

        var head = await Store.HeadObjectAsync(Bucket, "big/file.bin", ReadConditions.None, None);
        Assert.Equal(expectedETag, head.ETag);
        Assert.Equal(one.Length + two.Length + three.Length, head.Size);
        Assert.Equal("video/x-contract", head.Metadata.ContentType);
        Assert.Equal("mpu", head.Metadata.UserMetadata["origin"]);
        await using (var content = await Store.GetObjectAsync(Bucket, "big/file.bin", ObjectReadRequest.Whole, None))
            Assert.Equal(one.Concat(two).Concat(three).ToArray(), await ReadAllAsync(content.Body));
        Assert.Equal(["big/file.bin"], (await Store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects.Select(o => o.Key));

        // The upload is gone once completed.
        Requires(TracksMultipartUploads, nameof(TracksMultipartUploads));
        await AssertS3ErrorAsync("NoSuchUpload", () => Store.ListPartsAsync(Bucket, "big/file.bin", uploadId, 0, 1000, None));
        Assert.Empty((await Store.ListMultipartUploadsAsync(Bucket, new UploadsRequest(), None)).Uploads);
    }

    [Fact]
    public async Task Multipart_completion_refuses_wrong_parts()
    {
        Requires(TracksMultipartUploads, nameof(TracksMultipartUploads));
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "mp", ObjectWrite.Empty, None);
        var p1 = await UploadPartAsync("mp", uploadId, 1, RandomBytes(MinimumPartSize));
        var p2 = await UploadPartAsync("mp", uploadId, 2, RandomBytes(10));
        var p3 = await UploadPartAsync("mp", uploadId, 3, RandomBytes(10));

        await AssertS3ErrorAsync("InvalidPart", () => Store.CompleteMultipartUploadAsync(Bucket, "mp", uploadId, [new(1, p1.ETag), new(4, p2.ETag)], null, WriteCondition.None, None));
        await AssertS3ErrorAsync("InvalidPart", () => Store.CompleteMultipartUploadAsync(Bucket, "mp", uploadId, [new(1, p1.ETag), new(2, p3.ETag)], null, WriteCondition.None, None));
        Requires(CompletesAsS3Does, nameof(CompletesAsS3Does));
        await AssertS3ErrorAsync("InvalidPartOrder", () => Store.CompleteMultipartUploadAsync(Bucket, "mp", uploadId, [new(2, p2.ETag), new(1, p1.ETag)], null, WriteCondition.None, None));
        var small = await AssertS3ErrorAsync("EntityTooSmall", () => Store.CompleteMultipartUploadAsync(Bucket, "mp", uploadId, [new(1, p1.ETag), new(2, p2.ETag), new(3, p3.ETag)], null, WriteCondition.None, None));
        Assert.Equal(400, small.Error.Status);
        await AssertS3ErrorAsync("NoSuchKey", () => Store.HeadObjectAsync(Bucket, "mp", ReadConditions.None, None));

        // None of that used the upload up: a right list still completes it (a small last part is fine; parts may be skipped).
        var done = await Store.CompleteMultipartUploadAsync(Bucket, "mp", uploadId, [new(1, p1.ETag), new(3, p3.ETag)], null, WriteCondition.None, None);
        Assert.Equal(MinimumPartSize + 10, done.Size);
    }

    [Fact]
    public async Task Multipart_abort_removes_the_upload_and_unknown_uploads_are_NoSuchUpload()
    {
        Requires(TracksMultipartUploads, nameof(TracksMultipartUploads));
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "aborted", ObjectWrite.Empty, None);
        await UploadPartAsync("aborted", uploadId, 1, RandomBytes(100));
        await Store.AbortMultipartUploadAsync(Bucket, "aborted", uploadId, None);

        await AssertS3ErrorAsync("NoSuchUpload", () => Store.ListPartsAsync(Bucket, "aborted", uploadId, 0, 1000, None));
        await AssertS3ErrorAsync("NoSuchUpload", () => UploadPartAsync("aborted", uploadId, 2, RandomBytes(10)));
        await AssertS3ErrorAsync("NoSuchUpload", () => Store.AbortMultipartUploadAsync(Bucket, "aborted", uploadId, None));
        Assert.Empty((await Store.ListMultipartUploadsAsync(Bucket, new UploadsRequest(), None)).Uploads);
        Assert.Empty((await Store.ListObjectsAsync(Bucket, new ListRequest(), None)).Objects);

        foreach (var bogus in new[] { "no-such-upload", "../../etc", Guid.NewGuid().ToString("N") })
            await AssertS3ErrorAsync("NoSuchUpload", () => Store.ListPartsAsync(Bucket, "aborted", bogus, 0, 1000, None));
        var other = await Store.CreateMultipartUploadAsync(Bucket, "other", ObjectWrite.Empty, None);
        await AssertS3ErrorAsync("NoSuchUpload", () => UploadPartAsync("not-other", other, 1, RandomBytes(10)));
        Requires(CompletesAsS3Does, nameof(CompletesAsS3Does));
        await AssertS3ErrorAsync("NoSuchUpload", () => Store.CompleteMultipartUploadAsync(Bucket, "aborted", uploadId, [new(1, "\"x\"")], null, WriteCondition.None, None));
    }

    [Fact]
    public async Task Multipart_parts_and_uploads_list_page_by_page()
    {
        Requires(TracksMultipartUploads, nameof(TracksMultipartUploads));
        var uploadId = await Store.CreateMultipartUploadAsync(Bucket, "paged", ObjectWrite.Empty, None);
        for (var n = 1; n <= 5; n++) await UploadPartAsync("paged", uploadId, n, RandomBytes(n));
        var first = await Store.ListPartsAsync(Bucket, "paged", uploadId, 0, 2, None);
        Assert.Equal([1, 2], first.Parts.Select(p => p.PartNumber));
        Assert.True(first.IsTruncated);
        Assert.Equal(2, first.NextPartNumberMarker);
        var rest = await Store.ListPartsAsync(Bucket, "paged", uploadId, first.NextPartNumberMarker, 10, None);
        Assert.Equal([3, 4, 5], rest.Parts.Select(p => p.PartNumber));
        Assert.False(rest.IsTruncated);

        var keys = new[] { "paged", "a/one", "a/two", "b", "b" };
        var ids = new List<(string Key, string Id)> { ("paged", uploadId) };
        foreach (var key in keys.Skip(1)) ids.Add((key, await Store.CreateMultipartUploadAsync(Bucket, key, ObjectWrite.Empty, None)));

        var seen = new List<(string, string)>();
        var request = new UploadsRequest(MaxUploads: 2);
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await Store.ListMultipartUploadsAsync(Bucket, request, None);
            Assert.True(page.Uploads.Count <= 2);
            seen.AddRange(page.Uploads.Select(u => (u.Key, u.UploadId)));
            if (!page.IsTruncated) break;
            request = request with { KeyMarker = page.NextKeyMarker, UploadIdMarker = page.NextUploadIdMarker };
        }
        Assert.Equal(["a/one", "a/two", "b", "b", "paged"], seen.Select(s => s.Item1));
        Assert.Equal(ids.Order(), seen.Order());

        var prefixed = await Store.ListMultipartUploadsAsync(Bucket, new UploadsRequest(Prefix: "a/"), None);
        Assert.Equal(["a/one", "a/two"], prefixed.Uploads.Select(u => u.Key));
        Requires(RollsUpUploadListings, nameof(RollsUpUploadListings));
        var rolled = await Store.ListMultipartUploadsAsync(Bucket, new UploadsRequest(Delimiter: "/"), None);
        Assert.Equal(["a/"], rolled.CommonPrefixes);
        Assert.Equal(["b", "b", "paged"], rolled.Uploads.Select(u => u.Key));
    }
}
