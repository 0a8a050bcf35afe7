using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// What a write asks of the store besides its bytes, on every store: a storage class and
/// server-side encryption are kept where this server keeps them and refused with S3's error where
/// it does not, never taken and dropped.
/// </summary>
public abstract partial class WritePromisesTests(StoreTargets target) : EveryStoreTests(target)
{
    [Fact]
    public async Task Reduced_redundancy_is_kept_and_named_and_other_storage_classes_are_refused()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "rrs", ContentBody = "r", StorageClass = S3StorageClass.ReducedRedundancy });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "standard", ContentBody = "s", StorageClass = S3StorageClass.Standard });

        Assert.Equal(S3StorageClass.ReducedRedundancy, (await Client.GetObjectMetadataAsync(bucket, "rrs")).StorageClass);
        using (var get = await Client.GetObjectAsync(bucket, "rrs")) Assert.Equal(S3StorageClass.ReducedRedundancy, get.StorageClass);
        // S3 names no class for STANDARD on GET and HEAD.
        using (var head = await RawS3.SendAsync(Target.Proxy, HttpMethod.Head, $"/{bucket}/standard", content: null))
            Assert.False(head.Headers.Contains("x-amz-storage-class"));
        if (Kind == StoreKind.Embedded)
        {
            var listed = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            Assert.Equal([S3StorageClass.ReducedRedundancy, S3StorageClass.Standard], listed.S3Objects.Select(o => o.StorageClass));
        }

        // Refused before anything is stored, on every way of writing.
        foreach (var refused in new Func<Task>[]
        {
            () => Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "ia", ContentBody = "x", StorageClass = S3StorageClass.StandardInfrequentAccess }),
            () => Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "ia", StorageClass = S3StorageClass.Glacier }),
            () => Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "rrs", DestinationBucket = bucket, DestinationKey = "ia", StorageClass = S3StorageClass.DeepArchive }),
        })
        {
            var e = await Assert.ThrowsAsync<AmazonS3Exception>(refused);
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidStorageClass"), (e.StatusCode, e.ErrorCode));
        }
        using (var bogus = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/ia", "x", m => m.Headers.Add("x-amz-storage-class", "FASTEST")))
            await RawS3.AssertErrorAsync(bogus, 400, "InvalidStorageClass");
        var none = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "ia"));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

        // A copy takes the class the request names (onto itself too: a new class is a change), never the source's.
        await Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "rrs", DestinationBucket = bucket, DestinationKey = "copy" });
        Assert.Null((await Client.GetObjectMetadataAsync(bucket, "copy")).StorageClass);
        await Client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "standard", DestinationBucket = bucket, DestinationKey = "standard", StorageClass = S3StorageClass.ReducedRedundancy });
        Assert.Equal(S3StorageClass.ReducedRedundancy, (await Client.GetObjectMetadataAsync(bucket, "standard")).StorageClass);
    }

    [Fact]
    public async Task Server_side_encryption_with_a_server_key_is_refused_as_MinIO_refuses_it_without_a_KMS_and_nothing_is_stored()
    {
        var bucket = await Target.NewBucketAsync();
        foreach (var refused in new Func<Task>[]
        {
            () => Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "secret", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 }),
            () => Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "secret", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS }),
        })
        {
            var e = await Assert.ThrowsAsync<AmazonS3Exception>(refused);
            Assert.Equal((HttpStatusCode.NotImplemented, "NotImplemented"), (e.StatusCode, e.ErrorCode));
        }
        using (var raw = await RawS3.SendAsync(Target.Proxy, HttpMethod.Put, $"/{bucket}/secret", "x", m => m.Headers.Add("x-amz-server-side-encryption", "AES256")))
        {
            await RawS3.AssertErrorAsync(raw, 501, "NotImplemented");
        }
        var none = await Assert.ThrowsAsync<AmazonS3Exception>(() => Client.GetObjectMetadataAsync(bucket, "secret"));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        if (Kind != StoreKind.S3Local) // s3rver 3.7.1 cannot list uploads
            Assert.Empty((await Client.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? []);
    }

    /// <summary>
    /// minio-go (restic, mc and many Go tools): a multipart upload with its own signed-trailer
    /// framing and a composite checksum without "-N", one of unknown size, a storage class kept
    /// and one refused, and encryption refused, each as that client sends it.
    /// </summary>
    [Fact]
    public async Task The_minio_go_client_uploads_with_its_trailers_and_checksums_and_hears_the_refusals()
    {
        Clients.MinioGoClient.SkipUnlessInstalled();
        var bucket = await Target.NewBucketAsync();
        var result = await Clients.MinioGoClient.RunAsync(new Uri(Target.Proxy.Url).Authority, ProxyServer.AccessKey, ProxyServer.SecretKey, bucket);
        Assert.True(result.ExitCode == 0, $"minio-go:\n{result.StdOut}\n{result.StdErr}");
        Assert.Equal(5, result.StdOut.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
    }
}

[ConformanceTests]
public sealed class EmbeddedStoreWritePromisesTests(StoreTargets target) : WritePromisesTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;
}

[ConformanceTests]
public sealed class S3LocalStoreWritePromisesTests(StoreTargets target) : WritePromisesTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[ConformanceTests]
public sealed class OverlayWritePromisesTests(StoreTargets target) : WritePromisesTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[ConformanceTests]
public sealed class RgwLocalStoreWritePromisesTests(StoreTargets target) : WritePromisesTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
