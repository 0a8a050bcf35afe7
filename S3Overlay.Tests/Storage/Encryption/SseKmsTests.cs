using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage.Encryption;

/// <summary>
/// SSE-KMS with the master key as the one KMS key (its name the key id, as MinIO's built-in KMS),
/// driven by the AWS SDK: objects and uploads say <c>aws:kms</c> and the key, read back as written,
/// and the store never holds their plaintext; what S3 refuses is refused with S3's codes.
/// </summary>
[ConformanceTests]
public sealed class SseKmsTests(StoreTargets target) : EveryStoreTests(target)
{
    private const string KeyId = "test-key"; // EncryptionAtRestTests.MasterKey's name

    protected override StoreKind Kind => StoreKind.Embedded;

    protected override IReadOnlyDictionary<string, string?>? Settings { get; } =
        new Dictionary<string, string?> { ["S3_OVERLAY_KMS_SECRET_KEY"] = EncryptionAtRestTests.MasterKey };

    [Fact]
    public async Task An_object_written_with_the_key_id_or_with_none_says_aws_kms_and_the_key_and_the_store_holds_no_plaintext()
    {
        var bucket = await Target.NewBucketAsync();
        var marker = "KMS" + Guid.NewGuid().ToString("N");
        foreach (var (key, keyId) in new[] { ("named", KeyId), ("default", null) })
        {
            var put = await Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket, Key = key, ContentBody = marker,
                ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = keyId,
            });
            Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), (put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId));
            var head = await Client.GetObjectMetadataAsync(bucket, key);
            Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId), (head.ServerSideEncryptionMethod, head.ServerSideEncryptionKeyManagementServiceKeyId));
            using var got = await Client.GetObjectAsync(bucket, key);
            Assert.Equal(marker, await new StreamReader(got.ResponseStream).ReadToEndAsync());
        }
        // The same search finds a marker stored in the clear: it can fail.
        var clear = "CLEAR" + Guid.NewGuid().ToString("N");
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "clear", ContentBody = clear });
        Assert.True(StoreHolds(clear), "the object stored in the clear is not where the search looks");
        Assert.False(StoreHolds(marker), "the store holds an SSE-KMS object's plaintext");
    }

    [Fact]
    public async Task A_multipart_upload_under_the_key_completes_encrypted_and_its_parts_may_not_name_an_encryption()
    {
        var bucket = await Target.NewBucketAsync();
        var created = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket, Key = "big",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = KeyId,
        });
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, created.ServerSideEncryptionMethod);
        var part = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(part);
        using (var named = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/big?partNumber=1&uploadId={Uri.EscapeDataString(created.UploadId)}", "x",
                   m => m.Headers.Add("x-amz-server-side-encryption", "aws:kms")))
        {
            await RawS3.AssertErrorAsync(named, 400, "InvalidArgument");
        }
        var etags = new List<PartETag>();
        foreach (var (number, body) in new[] { (1, part), (2, "tail"u8.ToArray()) })
        {
            var uploaded = await Client.UploadPartAsync(new UploadPartRequest
                { BucketName = bucket, Key = "big", UploadId = created.UploadId, PartNumber = number, InputStream = new MemoryStream(body) });
            etags.Add(new PartETag(number, uploaded.ETag));
        }
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "big", UploadId = created.UploadId, PartETags = etags });

        var head = await Client.GetObjectMetadataAsync(bucket, "big");
        Assert.Equal((ServerSideEncryptionMethod.AWSKMS, KeyId, part.Length + 4L), (head.ServerSideEncryptionMethod, head.ServerSideEncryptionKeyManagementServiceKeyId, head.ContentLength));
        using var got = await Client.GetObjectAsync(bucket, "big");
        using var bytes = new MemoryStream();
        await got.ResponseStream.CopyToAsync(bytes);
        Assert.Equal([.. part, .. "tail"u8.ToArray()], bytes.ToArray());
    }

    [Fact]
    public async Task Another_key_id_a_key_id_without_aws_kms_and_the_header_on_a_read_are_refused_as_S3_refuses_them()
    {
        var bucket = await Target.NewBucketAsync();
        var unknown = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = "k", ContentBody = "x",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = "another-key",
        }));
        Assert.Equal((HttpStatusCode.BadRequest, "KMS.NotFoundException"), (unknown.StatusCode, unknown.ErrorCode));
        using (var undeclared = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/k", "x",
                   m => m.Headers.Add("x-amz-server-side-encryption-aws-kms-key-id", KeyId)))
        {
            await RawS3.AssertErrorAsync(undeclared, 400, "InvalidArgument");
        }
        var none = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "k"));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS });
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var read = await RawS3.SendAsync(Target.Proxy, method, $"/{bucket}/k", "", m => m.Headers.Add("x-amz-server-side-encryption", "aws:kms"));
            Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
            if (method == HttpMethod.Get) await RawS3.AssertErrorAsync(read, 400, "InvalidArgument");
        }
    }

    private bool StoreHolds(string text)
    {
        var needle = Encoding.ASCII.GetBytes(text);
        return Directory.EnumerateFiles(Target.Proxy.DataDir, "*", SearchOption.AllDirectories)
            .Any(path => File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0);
    }
}
