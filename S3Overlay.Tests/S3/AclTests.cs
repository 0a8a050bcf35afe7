using Amazon.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>GetBucketAcl / GetObjectAcl: the owner has FULL_CONTROL (what s3cmd info and viewers ask).</summary>
[FunctionalTests]
public sealed class AclTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task Bucket_and_object_ACLs_grant_the_owner_full_control()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "k", "v");
        var owner = (await s3.Client.ListBucketsAsync()).Owner;

        var bucketAcl = await s3.Client.GetBucketAclAsync(new() { BucketName = bucket });
        var objectAcl = await s3.Client.GetObjectAclAsync(new() { BucketName = bucket, Key = "k" });
        foreach (var (policyOwner, grants) in new[] { (bucketAcl.Owner, bucketAcl.Grants), (objectAcl.Owner, objectAcl.Grants) })
        {
            Assert.Equal(owner.Id, policyOwner.Id);
            var grant = Assert.Single(grants);
            Assert.Equal(owner.Id, grant.Grantee.CanonicalUser);
            Assert.Equal(S3Permission.FULL_CONTROL, grant.Permission);
        }
    }

    [Fact]
    public async Task ACLs_of_missing_things_are_NoSuchBucket_and_NoSuchKey()
    {
        var bucket = await s3.NewBucketAsync();
        var key = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetObjectAclAsync(new() { BucketName = bucket, Key = "missing" }));
        Assert.Equal("NoSuchKey", key.ErrorCode);
        var noBucket = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.Client.GetBucketAclAsync(new() { BucketName = "no-such-bucket-acl" }));
        Assert.Equal("NoSuchBucket", noBucket.ErrorCode);
    }
}
