using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Versions;

/// <summary>
/// Through the overlay: a bucket no remote backs keeps versions as the local store does; one a
/// remote backs has its local bucket's versioning (RemoteBackedVersioningTests), here suspended.
/// s3rver is the remote; the embedded store the local one.
/// </summary>
[FunctionalTests]
public sealed class OverlayVersioningTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task A_suspended_remote_backed_bucket_writes_null_versions_and_a_local_only_bucket_keeps_versions()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        var s3 = env.Client;

        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        });
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "k", ContentBody = "remote-backed" });
        Assert.Null(put.VersionId);

        var local = "local-" + Guid.NewGuid().ToString("N")[..12];
        await s3.PutBucketAsync(local);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = local, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        var first = await s3.PutObjectAsync(new PutObjectRequest { BucketName = local, Key = "k", ContentBody = "first" });
        var second = await s3.PutObjectAsync(new PutObjectRequest { BucketName = local, Key = "k", ContentBody = "second" });
        Assert.NotEqual(first.VersionId, second.VersionId);
        var deleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = local, Key = "k" });
        Assert.Equal("true", deleted.DeleteMarker);

        using var old = await s3.GetObjectAsync(new GetObjectRequest { BucketName = local, Key = "k", VersionId = first.VersionId });
        Assert.Equal("first", await new StreamReader(old.ResponseStream).ReadToEndAsync());
        var listed = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = local });
        Assert.Equal([deleted.VersionId, second.VersionId, first.VersionId], listed.Versions.Select(v => v.VersionId));
        Assert.True(listed.Versions[0].IsDeleteMarker);
    }
}
