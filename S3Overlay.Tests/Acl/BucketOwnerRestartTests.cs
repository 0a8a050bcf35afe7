using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Acl;

/// <summary>A bucket's owner is kept with the bucket: a restarted server still knows it, and still keeps other users out.</summary>
[FunctionalTests]
public sealed class BucketOwnerRestartTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["S3_OVERLAY_ACCESS_KEY"] = ProxyServer.AccessKey, ["S3_OVERLAY_SECRET_KEY"] = ProxyServer.SecretKey,
        ["Overlay:Users:0:AccessKey"] = "alice", ["Overlay:Users:0:SecretKey"] = "alice-secret",
        ["Overlay:Users:1:AccessKey"] = "bob", ["Overlay:Users:1:SecretKey"] = "bob-secret",
    };

    [Fact]
    public async Task The_owner_of_a_bucket_survives_a_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-owner-").FullName;
        try
        {
            await using (var first = await ProxyServer.StartAsync(Settings, dataDir: dataDir))
            {
                using var alice = first.CreateClient(defaults: false, accessKey: "alice", secretKey: "alice-secret");
                await alice.PutBucketAsync("alices");
                await alice.PutObjectAsync(new PutObjectRequest { BucketName = "alices", Key = "k", ContentBody = "v" });
            }
            await using var second = await ProxyServer.StartAsync(Settings, dataDir: dataDir);
            using var again = second.CreateClient(defaults: false, accessKey: "alice", secretKey: "alice-secret");
            using var bob = second.CreateClient(defaults: false, accessKey: "bob", secretKey: "bob-secret");
            Assert.Equal(S3Owner.IdOf("alice"), (await again.GetBucketAclAsync(new() { BucketName = "alices" })).Owner.Id);
            Assert.Equal(S3Owner.IdOf("alice"), (await again.GetObjectAclAsync(new() { BucketName = "alices", Key = "k" })).Owner.Id);
            Assert.Contains((await again.ListBucketsAsync()).Buckets, b => b.BucketName == "alices");
            var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => bob.GetObjectAsync("alices", "k"));
            Assert.Equal("AccessDenied", denied.ErrorCode);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
