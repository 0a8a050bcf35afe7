using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage.Encryption;

/// <summary>
/// The parts of an SSE-C multipart upload, driven by the AWS SDK: each must bring the key the
/// upload began with; a part without it or with another is refused as S3 refuses it (400
/// InvalidRequest), and the upload still completes with the right key.
/// </summary>
[ConformanceTests]
public sealed class SseCustomerPartsTests(StoreTargets target) : EveryStoreTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;

    [Fact]
    public async Task A_part_without_the_uploads_key_or_with_another_is_a_bad_request_and_the_right_key_completes_it()
    {
        var bucket = await Target.NewBucketAsync();
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var other = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i + 1)).ToArray());
        var created = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = "big",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = key,
        });
        UploadPartRequest Part(string? customerKey) => new()
        {
            BucketName = bucket, Key = "big", UploadId = created.UploadId, PartNumber = 1, InputStream = new MemoryStream("part one"u8.ToArray()),
            ServerSideEncryptionCustomerMethod = customerKey is null ? null : ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        };
        foreach (var wrong in new[] { null, other })
        {
            var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.UploadPartAsync(Part(wrong)));
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (e.StatusCode, e.ErrorCode));
        }
        var uploaded = await Client.UploadPartAsync(Part(key));
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            { BucketName = bucket, Key = "big", UploadId = created.UploadId, PartETags = [new PartETag(1, uploaded.ETag)] });

        using var got = await Client.GetObjectAsync(new GetObjectRequest
            { BucketName = bucket, Key = "big", ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = key });
        Assert.Equal("part one", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        // A read with another key is S3's 403, not a part's 400.
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectAsync(new GetObjectRequest
            { BucketName = bucket, Key = "big", ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256, ServerSideEncryptionCustomerProvidedKey = other }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }
}
