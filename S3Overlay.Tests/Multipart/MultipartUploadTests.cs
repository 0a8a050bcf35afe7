using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Multipart;

/// <summary>Multipart upload through the proxy with AWSSDK.S3: the whole life of an upload, and its errors.</summary>
[ConformanceTests]
public sealed class MultipartUploadTests : IAsyncLifetime
{
    private const string Bucket = "multipart";
    private const int MiB = 1024 * 1024;
    private ProxyServer _proxy = null!;
    private AmazonS3Client _s3 = null!;

    public async ValueTask InitializeAsync()
    {
        _proxy = await ProxyServer.StartAsync();
        // WHEN_REQUIRED and plain bodies: these tests are about multipart, not payload encodings.
        _s3 = _proxy.CreateClient(defaults: false);
        await _s3.PutBucketAsync(Bucket);
    }

    public async ValueTask DisposeAsync()
    {
        _s3.Dispose();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task TransferUtility_uploads_50_MiB_in_parts_and_downloads_it_identical()
    {
        using var files = new ClientProcess();
        var original = TestFiles.WriteRandom(Path.Combine(files.Home, "50mib.bin"), 50 * MiB, seed: 50);
        // The SDK's defaults: aws-chunked bodies with CRC32 trailers on every part.
        using var s3 = _proxy.CreateClient(defaults: true);
        using var transfer = new TransferUtility(s3);

        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = Bucket, Key = "big/50mib.bin", FilePath = original, PartSize = 10 * MiB,
        });
        var head = await s3.GetObjectMetadataAsync(Bucket, "big/50mib.bin");
        Assert.Equal(50 * MiB, head.ContentLength);
        Assert.EndsWith("-5\"", head.ETag);

        var copy = Path.Combine(files.Home, "50mib.copy");
        await transfer.DownloadAsync(new TransferUtilityDownloadRequest { BucketName = Bucket, Key = "big/50mib.bin", FilePath = copy });
        TestFiles.AssertSameBytes(original, copy);
    }

    [Fact]
    public async Task Completed_object_has_the_parts_bytes_the_multipart_etag_and_the_create_metadata()
    {
        var create = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "docs/report.bin", ContentType = "application/x-report" };
        create.Metadata["colour"] = "blue";
        var uploadId = (await _s3.InitiateMultipartUploadAsync(create)).UploadId;
        var first = Bytes(5 * MiB, 1);
        var second = Bytes(1000, 2);
        var e1 = await UploadPart("docs/report.bin", uploadId, 1, first);
        var e2 = await UploadPart("docs/report.bin", uploadId, 2, second);
        Assert.Equal(Md5ETag(first), e1);

        var done = await Complete("docs/report.bin", uploadId, (1, e1), (2, e2));

        Assert.Equal(MultipartETag(first, second), done.ETag);
        Assert.Equal($"{_proxy.Url}/{Bucket}/docs/report.bin", done.Location);
        Assert.Equal(Bucket, done.BucketName);
        Assert.Equal("docs/report.bin", done.Key);
        using var got = await _s3.GetObjectAsync(Bucket, "docs/report.bin");
        Assert.Equal(done.ETag, got.ETag);
        Assert.Equal("application/x-report", got.Headers.ContentType);
        Assert.Equal("blue", got.Metadata["colour"]);
        var body = await ReadAll(got.ResponseStream);
        Assert.Equal(first.Concat(second), body);
    }

    [Fact]
    public async Task A_part_sent_with_the_SDKs_default_CRC32_trailer_keeps_its_checksum()
    {
        using var s3 = _proxy.CreateClient(defaults: true);
        var uploadId = (await s3.InitiateMultipartUploadAsync(Bucket, "crc.bin")).UploadId;
        var body = Bytes(100_000, 4);

        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = "crc.bin", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(body),
        });

        Assert.Equal(Md5ETag(body), part.ETag);
        Assert.False(string.IsNullOrEmpty(part.ChecksumCRC32));
        var listed = Assert.Single((await s3.ListPartsAsync(Bucket, "crc.bin", uploadId)).Parts);
        Assert.Equal((part.ChecksumCRC32, 100_000L), (listed.ChecksumCRC32, listed.Size!.Value));
    }

    [Fact]
    public async Task Parts_are_invisible_in_listings_and_reads_until_completion()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "pending.bin")).UploadId;
        var etag = await UploadPart("pending.bin", uploadId, 1, Bytes(100, 3));

        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Empty(listed.S3Objects ?? []);
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync(Bucket, "pending.bin"));
        Assert.Equal("NoSuchKey", missing.ErrorCode);

        await Complete("pending.bin", uploadId, (1, etag));
        listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        var only = Assert.Single(listed.S3Objects);
        Assert.Equal(("pending.bin", 100L), (only.Key, only.Size!.Value));
        Assert.Empty((await _s3.ListMultipartUploadsAsync(Bucket)).MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_small_part_before_the_last_is_EntityTooSmall()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "small.bin")).UploadId;
        var e1 = await UploadPart("small.bin", uploadId, 1, Bytes(1024, 1));
        var e2 = await UploadPart("small.bin", uploadId, 2, Bytes(1024, 2));

        await AssertS3Error("EntityTooSmall", HttpStatusCode.BadRequest, () => Complete("small.bin", uploadId, (1, e1), (2, e2)));
        // A failed completion leaves the upload as it was: a single small part completes.
        await Complete("small.bin", uploadId, (1, e1));
    }

    [Fact]
    public async Task Parts_out_of_order_are_InvalidPartOrder_and_unknown_parts_InvalidPart()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "order.bin")).UploadId;
        var e1 = await UploadPart("order.bin", uploadId, 1, Bytes(5 * MiB, 1));
        var e2 = await UploadPart("order.bin", uploadId, 2, Bytes(10, 2));

        await AssertS3Error("InvalidPart", HttpStatusCode.BadRequest, () => Complete("order.bin", uploadId, (1, e1), (3, e2)));
        await AssertS3Error("InvalidPart", HttpStatusCode.BadRequest, () => Complete("order.bin", uploadId, (1, e2), (2, e2)));
        Assert.Equal(MultipartETag(Bytes(5 * MiB, 1), Bytes(10, 2)), (await Complete("order.bin", uploadId, (1, e1), (2, e2))).ETag);
    }

    [Fact]
    public async Task Complete_refuses_a_descending_parts_list_and_bodies_without_parts_and_takes_bare_etags()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "raw.bin")).UploadId;
        var e1 = await UploadPart("raw.bin", uploadId, 1, Bytes(5 * MiB, 1));
        var e2 = await UploadPart("raw.bin", uploadId, 2, Bytes(10, 2));
        Task<HttpResponseMessage> Complete(string body) =>
            RawS3.SendAsync(_proxy, HttpMethod.Post, $"/{Bucket}/raw.bin?uploadId={uploadId}", body);
        static string Part(int n, string etag) => $"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>";

        // What the SDK never sends (it sorts): the list in descending order.
        await RawS3.AssertErrorAsync(await Complete($"<CompleteMultipartUpload>{Part(2, e2)}{Part(1, e1)}</CompleteMultipartUpload>"), 400, "InvalidPartOrder");
        await RawS3.AssertErrorAsync(await Complete("<CompleteMultipartUpload></CompleteMultipartUpload>"), 400, "MalformedXML");
        await RawS3.AssertErrorAsync(await Complete("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>"), 400, "MalformedXML");
        await RawS3.AssertErrorAsync(await Complete("not xml"), 400, "MalformedXML");

        using var done = await Complete($"<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{Part(1, e1.Trim('"'))}{Part(2, e2)}</CompleteMultipartUpload>");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(MultipartETag(Bytes(5 * MiB, 1), Bytes(10, 2)), (await RawS3.XmlAsync(done)).First("ETag"));
    }

    [Fact]
    public async Task After_abort_the_upload_is_NoSuchUpload_everywhere()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "gone.bin")).UploadId;
        var etag = await UploadPart("gone.bin", uploadId, 1, Bytes(10, 1));

        var aborted = await _s3.AbortMultipartUploadAsync(Bucket, "gone.bin", uploadId);
        Assert.Equal(HttpStatusCode.NoContent, aborted.HttpStatusCode);

        await AssertS3Error("NoSuchUpload", HttpStatusCode.NotFound, () => UploadPart("gone.bin", uploadId, 2, Bytes(10, 2)));
        await AssertS3Error("NoSuchUpload", HttpStatusCode.NotFound, () => Complete("gone.bin", uploadId, (1, etag)));
        await AssertS3Error("NoSuchUpload", HttpStatusCode.NotFound, () => _s3.ListPartsAsync(Bucket, "gone.bin", uploadId));
        await AssertS3Error("NoSuchUpload", HttpStatusCode.NotFound, () => _s3.AbortMultipartUploadAsync(Bucket, "gone.bin", uploadId));
        await AssertS3Error("NoSuchKey", HttpStatusCode.NotFound, () => _s3.GetObjectAsync(Bucket, "gone.bin"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10001)]
    public async Task A_part_number_outside_1_to_10000_is_InvalidArgument(int partNumber)
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "numbers.bin")).UploadId;
        await AssertS3Error("InvalidArgument", HttpStatusCode.BadRequest, () => UploadPart("numbers.bin", uploadId, partNumber, Bytes(10, 1)));
    }

    [Fact]
    public async Task A_part_whose_Content_MD5_does_not_match_is_BadDigest()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "digest.bin")).UploadId;
        await AssertS3Error("BadDigest", HttpStatusCode.BadRequest, () => _s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = "digest.bin", UploadId = uploadId, PartNumber = 1, UseChunkEncoding = false,
            InputStream = new MemoryStream(Bytes(10, 1)), MD5Digest = Convert.ToBase64String(MD5.HashData(Bytes(10, 2))),
        }));
    }

    [Fact]
    public async Task ListParts_pages_with_part_number_marker()
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "paged.bin")).UploadId;
        var etags = new List<string>();
        for (var n = 1; n <= 5; n++) etags.Add(await UploadPart("paged.bin", uploadId, n, Bytes(100 * n, n)));

        var first = await _s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "paged.bin", UploadId = uploadId, MaxParts = 2 });
        Assert.True(first.IsTruncated);
        Assert.Equal([1, 2], first.Parts.Select(p => p.PartNumber!.Value));
        Assert.Equal([100L, 200L], first.Parts.Select(p => p.Size!.Value));
        Assert.Equal(etags[..2], first.Parts.Select(p => p.ETag));
        Assert.Equal(2, first.NextPartNumberMarker);

        var rest = await _s3.ListPartsAsync(new ListPartsRequest
        {
            BucketName = Bucket, Key = "paged.bin", UploadId = uploadId, MaxParts = 10, PartNumberMarker = first.NextPartNumberMarker.ToString(),
        });
        Assert.False(rest.IsTruncated);
        Assert.Equal([3, 4, 5], rest.Parts.Select(p => p.PartNumber!.Value));
        Assert.Equal(uploadId, rest.UploadId);
        Assert.Equal("paged.bin", rest.Key);
    }

    [Fact]
    public async Task ListMultipartUploads_pages_by_key_and_upload_id_and_rolls_up_prefixes()
    {
        var a1 = (await _s3.InitiateMultipartUploadAsync(Bucket, "a.bin")).UploadId;
        var a2 = (await _s3.InitiateMultipartUploadAsync(Bucket, "a.bin")).UploadId;
        var b = (await _s3.InitiateMultipartUploadAsync(Bucket, "dir/b.bin")).UploadId;
        var c = (await _s3.InitiateMultipartUploadAsync(Bucket, "dir/sub/c.bin")).UploadId;

        var all = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
        Assert.Equal(["a.bin", "a.bin", "dir/b.bin", "dir/sub/c.bin"], all.MultipartUploads.Select(u => u.Key));
        Assert.Equal(new HashSet<string> { a1, a2 }, all.MultipartUploads.Take(2).Select(u => u.UploadId).ToHashSet());

        // Page through two at a time and see every upload exactly once, in order.
        var seen = new List<(string, string)>();
        string? keyMarker = null, idMarker = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 4, "paging did not end");
            var page = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = Bucket, MaxUploads = 2, KeyMarker = keyMarker, UploadIdMarker = idMarker,
            });
            seen.AddRange(page.MultipartUploads.Select(u => (u.Key, u.UploadId)));
            if (page.IsTruncated != true) break;
            (keyMarker, idMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
        Assert.Equal(all.MultipartUploads.Select(u => (u.Key, u.UploadId)), seen);

        var rolled = await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = "dir/", Delimiter = "/" });
        Assert.Equal((string)"dir/b.bin", Assert.Single(rolled.MultipartUploads).Key);
        Assert.Equal(b, rolled.MultipartUploads[0].UploadId);
        Assert.Equal("dir/sub/", Assert.Single(rolled.CommonPrefixes));
        Assert.DoesNotContain(c, rolled.MultipartUploads.Select(u => u.UploadId));
    }

    [Fact]
    public async Task UploadPartCopy_copies_ranges_of_an_object_into_parts()
    {
        var source = Bytes(6 * MiB + 123, 7);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "source.bin", InputStream = new MemoryStream(source), UseChunkEncoding = false });
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "copied.bin")).UploadId;

        var first = await _s3.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = Bucket, SourceKey = "source.bin", DestinationBucket = Bucket, DestinationKey = "copied.bin",
            UploadId = uploadId, PartNumber = 1, FirstByte = 0, LastByte = 5 * MiB - 1,
        });
        var second = await _s3.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = Bucket, SourceKey = "source.bin", DestinationBucket = Bucket, DestinationKey = "copied.bin",
            UploadId = uploadId, PartNumber = 2, FirstByte = 5 * MiB, LastByte = source.Length - 1,
        });
        Assert.Equal(Md5ETag(source[..(5 * MiB)]), first.ETag);

        var done = await Complete("copied.bin", uploadId, (1, first.ETag), (2, second.ETag));
        Assert.Equal(MultipartETag(source[..(5 * MiB)], source[(5 * MiB)..]), done.ETag);
        using var got = await _s3.GetObjectAsync(Bucket, "copied.bin");
        Assert.Equal(source, await ReadAll(got.ResponseStream));
    }

    [Fact]
    public async Task UploadPartCopy_refuses_failed_conditions_ranges_outside_the_source_and_missing_sources()
    {
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "src.bin", InputStream = new MemoryStream(Bytes(1000, 1)), UseChunkEncoding = false });
        var uploadId = (await _s3.InitiateMultipartUploadAsync(Bucket, "dst.bin")).UploadId;
        CopyPartRequest Copy(string key = "src.bin") => new()
        {
            SourceBucket = Bucket, SourceKey = key, DestinationBucket = Bucket, DestinationKey = "dst.bin", UploadId = uploadId, PartNumber = 1,
        };

        await AssertS3Error("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => _s3.CopyPartAsync(Copy().With(r => r.ETagToMatch = ["\"0123\""])));
        await AssertS3Error("PreconditionFailed", HttpStatusCode.PreconditionFailed, () => _s3.CopyPartAsync(Copy().With(r => r.ETagsToNotMatch = [Md5ETag(Bytes(1000, 1))])));
        await AssertS3Error("InvalidRange", HttpStatusCode.BadRequest, () => _s3.CopyPartAsync(Copy().With(r => (r.FirstByte, r.LastByte) = (500, 1000))));
        // Wholly past the end: the store's unsatisfiable range, answered as a copy's (400), not as a GET's 416.
        await AssertS3Error("InvalidRange", HttpStatusCode.BadRequest, () => _s3.CopyPartAsync(Copy().With(r => (r.FirstByte, r.LastByte) = (1000, 1500))));
        await AssertS3Error("NoSuchKey", HttpStatusCode.NotFound, () => _s3.CopyPartAsync(Copy("nothing.bin")));

        var whole = await _s3.CopyPartAsync(Copy().With(r => r.ETagToMatch = [Md5ETag(Bytes(1000, 1))]));
        Assert.Equal(Md5ETag(Bytes(1000, 1)), whole.ETag);
    }

    private async Task<string> UploadPart(string key, string uploadId, int partNumber, byte[] body) =>
        (await _s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = partNumber,
            InputStream = new MemoryStream(body), UseChunkEncoding = false,
        })).ETag;

    private Task<CompleteMultipartUploadResponse> Complete(string key, string uploadId, params (int Number, string ETag)[] parts) =>
        _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = uploadId,
            PartETags = [.. parts.Select(p => new PartETag(p.Number, p.ETag))],
        });

    private static async Task AssertS3Error(string code, HttpStatusCode status, Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(call);
        Assert.Equal((code, status), (e.ErrorCode, e.StatusCode));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Md5ETag(byte[] body) => $"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"";

    /// <summary>S3's multipart ETag: the MD5 of the parts' binary MD5s, then a dash and the part count.</summary>
    private static string MultipartETag(params byte[][] parts) =>
        $"\"{Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(MD5.HashData).ToArray()))}-{parts.Length}\"";

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

internal static class RequestExtensions
{
    public static T With<T>(this T request, Action<T> change)
    {
        change(request);
        return request;
    }
}
