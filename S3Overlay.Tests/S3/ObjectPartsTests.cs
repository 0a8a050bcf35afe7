using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// What an object remembers of its parts: GET/HEAD with <c>partNumber</c>,
/// GetObjectAttributes with its parts paged, and multipart checksums (per part, COMPOSITE and
/// FULL_OBJECT), with the AWS SDK against every store.
/// </summary>
public abstract class ObjectPartsTests(StoreTargets target) : EveryStoreTests(target)
{
    private const int MiB = 1024 * 1024;

    /// <summary>Parts 1 and 2 at S3's minimum part size, then a short last part.</summary>
    private static readonly byte[][] ThreeParts = [Bytes(5 * MiB, 1), Bytes(5 * MiB, 2), Bytes(1000, 3)];

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>s3rver and RGW 16 keep no checksums and answer no partNumber, and our S3 store neither adds nor checks them.</summary>
    private void SkipWhereThePartsAreForgotten()
    {
        if (Kind == StoreKind.S3Local)
            Assert.Skip("The S3 local store answers partNumber and GetObjectAttributes' ObjectParts only from what the server behind it keeps, and s3rver 3.7.1 keeps neither parts nor checksums.");
        if (Kind == StoreKind.RgwLocal)
            Assert.Skip("The S3 local store leaves checksums and partNumber to the server behind it, and RGW 16.2.15 predates S3's x-amz-checksum-* (RGW 19) and answers a GET or HEAD with partNumber with the whole object.");
    }

    /// <summary>Uploads the parts (each with its SHA-256 when <paramref name="algorithm"/> asks for one) and completes the upload.</summary>
    private async Task<(CompleteMultipartUploadResponse Done, List<UploadPartResponse> Parts)> UploadAsync(
        string bucket, string key, byte[][] parts, ChecksumAlgorithm? algorithm = null, ChecksumType? type = null)
    {
        var create = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
        if (algorithm is not null) create.ChecksumAlgorithm = algorithm;
        if (type is not null) create.ChecksumType = type;
        var uploadId = (await Client.InitiateMultipartUploadAsync(create)).UploadId;
        var uploaded = new List<UploadPartResponse>();
        for (var i = 0; i < parts.Length; i++)
        {
            var request = new UploadPartRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]) };
            // Sent as a header, computed here: the test does not depend on when the SDK computes one.
            if (algorithm == ChecksumAlgorithm.SHA256) request.ChecksumSHA256 = Convert.ToBase64String(SHA256.HashData(parts[i]));
            else if (algorithm == ChecksumAlgorithm.CRC32) request.ChecksumCRC32 = ChecksumOf(parts[i]);
            uploaded.Add(await Client.UploadPartAsync(request));
        }
        var done = await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId,
            PartETags = uploaded.Select(p => new PartETag
            {
                PartNumber = p.PartNumber, ETag = p.ETag, ChecksumSHA256 = p.ChecksumSHA256, ChecksumCRC32 = p.ChecksumCRC32,
            }).ToList(),
        });
        return (done, uploaded);
    }

    private static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task GET_and_HEAD_with_partNumber_answer_one_part_of_a_multipart_object_with_the_parts_count()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        await UploadAsync(bucket, "three.bin", ThreeParts);

        using (var second = await Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "three.bin", PartNumber = 2 }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, second.HttpStatusCode);
            Assert.Equal(3, second.PartsCount);
            Assert.Equal($"bytes {5 * MiB}-{10 * MiB - 1}/{10 * MiB + 1000}", second.ContentRange);
            Assert.Equal(ThreeParts[1], await ReadAllAsync(second.ResponseStream));
        }
        var last = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "three.bin", PartNumber = 3 });
        Assert.Equal(HttpStatusCode.PartialContent, last.HttpStatusCode);
        Assert.Equal(1000, last.ContentLength);
        Assert.Equal(3, last.PartsCount);

        var beyond = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "three.bin", PartNumber = 4 }));
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        Assert.Equal("InvalidPart", beyond.ErrorCode);
    }

    [Fact]
    public async Task Part_1_of_an_object_written_in_one_piece_is_the_whole_object_and_part_2_is_InvalidPart()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "one.txt", ContentBody = "one piece" });

        using (var first = await Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "one.txt", PartNumber = 1 }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, first.HttpStatusCode);
            Assert.Equal("bytes 0-8/9", first.ContentRange);
            Assert.Null(first.PartsCount is > 0 ? first.PartsCount : null); // S3 tells the count for multipart objects only
            Assert.Equal("one piece", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(first.ResponseStream)));
        }
        var second = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/one.txt?partNumber=2");
        await RawS3.AssertErrorAsync(second, 400, "InvalidPart");
        var notANumber = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/one.txt?partNumber=x");
        await RawS3.AssertErrorAsync(notANumber, 400, "InvalidArgument");
        var withRange = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/one.txt?partNumber=1", configure: m => m.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 1));
        await RawS3.AssertErrorAsync(withRange, 400, "InvalidRequest");
    }

    [Fact]
    public async Task SHA256_multipart_upload_gets_the_composite_checksum_and_GetObjectAttributes_pages_its_parts()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        var (done, parts) = await UploadAsync(bucket, "sha.bin", ThreeParts, ChecksumAlgorithm.SHA256);

        var partSums = ThreeParts.Select(SHA256.HashData).ToList();
        Assert.Equal(partSums.Select(Convert.ToBase64String), parts.Select(p => p.ChecksumSHA256));
        var composite = Convert.ToBase64String(SHA256.HashData(partSums.SelectMany(s => s).ToArray())) + "-3";
        Assert.Equal(composite, done.ChecksumSHA256);
        Assert.Equal(ChecksumType.COMPOSITE, done.ChecksumType);

        var attributes = new List<ObjectAttributes> { ObjectAttributes.ETag, ObjectAttributes.Checksum, ObjectAttributes.ObjectParts, ObjectAttributes.StorageClass, ObjectAttributes.ObjectSize };
        var firstPage = await Client.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "sha.bin", ObjectAttributes = attributes, MaxParts = 2 });
        Assert.Equal(done.ETag.Trim('"'), firstPage.ETag);
        Assert.Equal(10 * MiB + 1000, firstPage.ObjectSize);
        Assert.Equal(S3StorageClass.Standard, firstPage.StorageClass);
        Assert.Equal(composite, firstPage.Checksum.ChecksumSHA256);
        Assert.Equal(3, firstPage.ObjectParts.TotalPartsCount);
        Assert.True(firstPage.ObjectParts.IsTruncated);
        Assert.Equal([1, 2], firstPage.ObjectParts.Parts.Select(p => p.PartNumber ?? 0));
        Assert.Equal(Convert.ToBase64String(partSums[1]), firstPage.ObjectParts.Parts[1].ChecksumSHA256);

        var secondPage = await Client.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket, Key = "sha.bin", ObjectAttributes = attributes, MaxParts = 2, PartNumberMarker = firstPage.ObjectParts.NextPartNumberMarker,
        });
        Assert.False(secondPage.ObjectParts.IsTruncated);
        var only = Assert.Single(secondPage.ObjectParts.Parts);
        Assert.Equal((3, 1000L), (only.PartNumber ?? 0, only.Size ?? 0));

        // Asked for, a part's checksum comes with the part.
        using var part = await Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "sha.bin", PartNumber = 1, ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(Convert.ToBase64String(partSums[0]), part.ChecksumSHA256);
    }

    [Fact]
    public async Task CRC32_FULL_OBJECT_upload_gets_the_checksum_of_the_whole_object_returned_on_HEAD()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        var (done, _) = await UploadAsync(bucket, "crc.bin", ThreeParts, ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT);

        var whole = ChecksumOf(ThreeParts.SelectMany(p => p).ToArray());
        Assert.Equal(whole, done.ChecksumCRC32);
        Assert.Equal(ChecksumType.FULL_OBJECT, done.ChecksumType);
        var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "crc.bin", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(whole, head.ChecksumCRC32);
        Assert.Equal(ChecksumType.FULL_OBJECT, head.ChecksumType);
    }

    private static string ChecksumOf(byte[] data) => global::S3Overlay.Storage.Checksums.ChecksumAlgorithm.Crc32.Compute(data);

    [Fact]
    public async Task A_part_without_the_checksum_the_upload_promised_is_refused_and_a_SHA256_FULL_OBJECT_upload_is_refused()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        var uploadId = (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "k", ChecksumAlgorithm = ChecksumAlgorithm.SHA256 })).UploadId;
        var wrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = "k", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(10, 4)), ChecksumCRC32 = ChecksumOf(Bytes(10, 4)),
        }));
        Assert.Equal("InvalidRequest", wrong.ErrorCode);
        var parts = await Client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId });
        Assert.Empty(parts.Parts ?? []);

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = "k2", ChecksumAlgorithm = ChecksumAlgorithm.SHA256, ChecksumType = ChecksumType.FULL_OBJECT,
        }));
        Assert.Equal("InvalidRequest", refused.ErrorCode);
    }

    [Fact]
    public async Task ListParts_tells_the_checksum_the_upload_promised_and_each_part_s_checksum()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        var uploadId = (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = "k", ChecksumAlgorithm = ChecksumAlgorithm.CRC32, ChecksumType = ChecksumType.FULL_OBJECT,
        })).UploadId;
        var part = Bytes(1000, 5);
        await Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = "k", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(part), ChecksumCRC32 = ChecksumOf(part),
        });

        var listed = await Client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId });
        Assert.Equal(ChecksumAlgorithm.CRC32, listed.ChecksumAlgorithm);
        Assert.Equal(ChecksumType.FULL_OBJECT, listed.ChecksumType);
        Assert.Equal(ChecksumOf(part), Assert.Single(listed.Parts).ChecksumCRC32);
    }

    [Fact]
    public async Task A_whole_object_checksum_sent_on_completion_must_be_the_one_the_parts_combine_to()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        byte[][] twoParts = [Bytes(5 * MiB, 6), Bytes(1000, 7)];
        var uploadId = (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = "whole.bin", ChecksumAlgorithm = ChecksumAlgorithm.CRC32, ChecksumType = ChecksumType.FULL_OBJECT,
        })).UploadId;
        var etags = new List<PartETag>();
        for (var i = 0; i < twoParts.Length; i++)
        {
            var uploaded = await Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = "whole.bin", UploadId = uploadId, PartNumber = i + 1, InputStream = new MemoryStream(twoParts[i]), ChecksumCRC32 = ChecksumOf(twoParts[i]),
            });
            etags.Add(new PartETag { PartNumber = i + 1, ETag = uploaded.ETag, ChecksumCRC32 = uploaded.ChecksumCRC32 });
        }
        CompleteMultipartUploadRequest Complete(string crc32, ChecksumType type) => new()
        {
            BucketName = bucket, Key = "whole.bin", UploadId = uploadId, PartETags = etags, ChecksumCRC32 = crc32, ChecksumType = type,
        };

        // The first part's CRC is a well-formed CRC-32, just not the whole object's.
        var wrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.CompleteMultipartUploadAsync(Complete(ChecksumOf(twoParts[0]), ChecksumType.FULL_OBJECT)));
        Assert.Equal("BadDigest", wrong.ErrorCode);
        var whole = ChecksumOf(twoParts.SelectMany(p => p).ToArray());
        var otherMode = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.CompleteMultipartUploadAsync(Complete(whole, ChecksumType.COMPOSITE)));
        Assert.Equal("InvalidRequest", otherMode.ErrorCode);
        // Refused, the upload is still there to complete.
        Assert.Equal(2, (await Client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "whole.bin", UploadId = uploadId })).Parts.Count);

        var done = await Client.CompleteMultipartUploadAsync(Complete(whole, ChecksumType.FULL_OBJECT));
        Assert.Equal(whole, done.ChecksumCRC32);
    }

    [Fact]
    public async Task A_composite_checksum_sent_on_completion_without_its_part_count_is_compared_by_value()
    {
        SkipWhereThePartsAreForgotten();
        var bucket = await Target.NewBucketAsync();
        var crc32c = global::S3Overlay.Storage.Checksums.ChecksumAlgorithm.Crc32C;
        using var created = await RawS3.SendAsync(Target.Proxy, HttpMethod.Post, $"/{bucket}/composite.bin?uploads", "",
            m => m.Headers.Add("x-amz-checksum-algorithm", "CRC32C"));
        var uploadId = (await RawS3.XmlAsync(created)).First("UploadId")!;
        var data = Bytes(1000, 8);
        using var part = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/composite.bin?partNumber=1&uploadId={uploadId}",
            new ByteArrayContent(data), m => m.Headers.Add("x-amz-checksum-crc32c", crc32c.Compute(data)));
        Assert.Equal(crc32c.Compute(data), part.Headers.GetValues("x-amz-checksum-crc32c").Single());
        // The part's checksum describes its bytes; S3's UploadPart answer names no type (the upload is COMPOSITE, not FULL_OBJECT).
        Assert.False(part.Headers.Contains("x-amz-checksum-type"));

        // What minio-go sends for an upload of unknown size: the checksum of the parts' checksums, without "-1".
        var ofParts = crc32c.Compute(Convert.FromBase64String(crc32c.Compute(data)));
        Task<HttpResponseMessage> Complete(string checksum) => RawS3.SendAsync(Target.Proxy, HttpMethod.Post, $"/{bucket}/composite.bin?uploadId={uploadId}",
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.Headers.ETag!.Tag}</ETag></Part></CompleteMultipartUpload>",
            m => m.Headers.Add("x-amz-checksum-crc32c", checksum));
        await RawS3.AssertErrorAsync(await Complete(crc32c.Compute("other"u8)), 400, "BadDigest");
        await RawS3.AssertErrorAsync(await Complete(ofParts + "-2"), 400, "BadDigest");
        using var done = await Complete(ofParts);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(ofParts + "-1", (await RawS3.XmlAsync(done)).First("ChecksumCRC32C"));
    }

    [Fact]
    public async Task A_part_uploaded_twice_at_once_completes_with_the_upload_that_finished_last()
    {
        var bucket = await Target.NewBucketAsync();
        var uploadId = (await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "twice" })).UploadId;
        var partPath = $"/{bucket}/twice?partNumber=1&uploadId={Uri.EscapeDataString(uploadId)}";
        byte[] first = Bytes(100_000, 8), second = Bytes(100_000, 9);

        // The first upload sends some bytes, then holds the rest until the second has been stored.
        var held = new GatedStream(first, heldAfter: 1000);
        var firstUpload = RawS3.SendAsync(Target.Proxy, HttpMethod.Put, partPath, new StreamContent(held) { Headers = { ContentLength = first.Length } });
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var secondUpload = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, partPath, new ByteArrayContent(second));
        Assert.Equal(HttpStatusCode.OK, secondUpload.StatusCode);
        held.Release();
        var firstDone = await firstUpload.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, firstDone.StatusCode);

        // The client lists both answers, in the order they came (the SDK would sort them away): S3 completes with the stored part.
        string Part(HttpResponseMessage answer) => $"<Part><PartNumber>1</PartNumber><ETag>{answer.Headers.ETag!.Tag}</ETag></Part>";
        using var done = await RawS3.SendAsync(Target.Proxy, HttpMethod.Post, $"/{bucket}/twice?uploadId={Uri.EscapeDataString(uploadId)}",
            $"<CompleteMultipartUpload>{Part(secondUpload)}{Part(firstDone)}</CompleteMultipartUpload>");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        using var got = await Client.GetObjectAsync(bucket, "twice");
        Assert.Equal(first, await ReadAllAsync(got.ResponseStream));
    }

    [Fact]
    public async Task A_repeated_completion_answers_200_with_the_same_ETag()
    {
        if (Kind == StoreKind.S3Local)
            Assert.Skip("A repeated completion is known by S3's multipart ETag (md5 of the parts' md5s, -N), and s3rver 3.7.1 gives a multipart object the whole object's MD5.");
        var bucket = await Target.NewBucketAsync();
        var uploadId = (await Client.InitiateMultipartUploadAsync(bucket, "retried.bin")).UploadId;
        var part = await Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = "retried.bin", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(1000, 4)),
        });
        CompleteMultipartUploadRequest Again(string etag) => new() { BucketName = bucket, Key = "retried.bin", UploadId = uploadId, PartETags = [new PartETag(1, etag)] };
        var done = await Client.CompleteMultipartUploadAsync(Again(part.ETag));

        // A client whose first answer was lost completes again: the same answer, the object untouched.
        var again = await Client.CompleteMultipartUploadAsync(Again(part.ETag));
        Assert.Equal(HttpStatusCode.OK, again.HttpStatusCode);
        Assert.Equal(done.ETag, again.ETag);
        Assert.Equal(done.ETag, (await Client.GetObjectMetadataAsync(bucket, "retried.bin")).ETag);

        // Other parts than those completed, or an object replaced since, are no completed upload.
        if (Kind == StoreKind.RgwLocal)
            Assert.Skip("RGW 16.2.15 answers a completion of a completed upload with other parts 500 InternalError (check_previously_completed: etag mismatch), not NoSuchUpload; the local store's 500 holds it as down for 2 s.");
        var otherPart = Convert.ToHexStringLower(MD5.HashData(Bytes(1000, 5)));
        var other = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.CompleteMultipartUploadAsync(Again(otherPart)));
        Assert.Equal("NoSuchUpload", other.ErrorCode);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "retried.bin", ContentBody = "replaced" });
        var replaced = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.CompleteMultipartUploadAsync(Again(part.ETag)));
        Assert.Equal("NoSuchUpload", replaced.ErrorCode);
    }

    [Fact]
    public async Task GetObjectAttributes_of_a_plain_object_and_its_errors()
    {
        var bucket = await Target.NewBucketAsync();
        var put = await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain.txt", ContentBody = "plain" });

        var attributes = await Client.GetObjectAttributesAsync(new GetObjectAttributesRequest
        {
            BucketName = bucket, Key = "plain.txt", ObjectAttributes = [ObjectAttributes.ETag, ObjectAttributes.ObjectSize, ObjectAttributes.ObjectParts],
        });
        Assert.Equal(put.ETag.Trim('"'), attributes.ETag);
        Assert.Equal(5, attributes.ObjectSize);
        Assert.Null(attributes.ObjectParts);

        var missing = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/plain.txt?attributes");
        await RawS3.AssertErrorAsync(missing, 400, "InvalidArgument");
        var unknown = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/plain.txt?attributes", configure: m => m.Headers.Add("x-amz-object-attributes", "ETag,Colour"));
        await RawS3.AssertErrorAsync(unknown, 400, "InvalidArgument");
        var noKey = await RawS3.SendAsync(Target.Proxy, HttpMethod.Get, $"/{bucket}/absent?attributes", configure: m => m.Headers.Add("x-amz-object-attributes", "ETag"));
        await RawS3.AssertErrorAsync(noKey, 404, "NoSuchKey");
    }
}

[FunctionalTests]
public sealed class EmbeddedStorePartsTests(StoreTargets target) : ObjectPartsTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[FunctionalTests]
public sealed class S3LocalStorePartsTests(StoreTargets target) : ObjectPartsTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[FunctionalTests]
public sealed class OverlayPartsTests(StoreTargets target) : ObjectPartsTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[FunctionalTests]
public sealed class RgwLocalStorePartsTests(StoreTargets target) : ObjectPartsTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
