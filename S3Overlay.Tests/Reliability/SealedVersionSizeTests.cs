using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Found by the load run: ListObjectVersions lists an encrypted version with the size of its sealed
/// bytes (the plaintext's plus 32 bytes and 16 a 64 KiB package), where S3 lists the object's size,
/// as ListObjectsV2, HEAD and GET of that version tell it here.
/// </summary>
[ReliabilityTests]
public sealed class SealedVersionSizeTests
{
    [Fact(Skip = "product bug found by the load run: an encrypted version is listed with its sealed size (Storage/Encryption forwards ListObjectVersions untouched)")]
    public async Task ListObjectVersions_lists_an_encrypted_version_with_its_plaintext_size()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-sealed-versions-").FullName;
        try
        {
            await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string>
            {
                ["S3_OVERLAY_DATA_DIR"] = dataDir, ["S3_OVERLAY_KMS_SECRET_KEY"] = LoadEncryption.MasterKey,
            });
            using var s3 = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await s3.PutBucketAsync("sealed");
            await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
                { BucketName = "sealed", VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
            var put = new PutObjectRequest { BucketName = "sealed", Key = "k", InputStream = PatternData.Open(1000, 1) };
            LoadEncryption.Seal(put, LoadSealing.SseS3, 0);
            var written = await s3.PutObjectAsync(put);

            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "sealed", Key = "k", VersionId = written.VersionId });
            var current = Assert.Single((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "sealed" })).S3Objects);
            var version = Assert.Single((await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = "sealed" })).Versions);
            Assert.Equal((1000L, 1000L, written.VersionId, 1000L), (head.ContentLength, current.Size ?? -1, version.VersionId, version.Size ?? -1));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
