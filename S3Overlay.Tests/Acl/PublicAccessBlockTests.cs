using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Acl;

/// <summary>
/// PublicAccessBlock as S3 applies it: IgnorePublicAcls makes public grants count for nothing,
/// BlockPublicAcls refuses public ACLs, BlockPublicPolicy refuses a public policy,
/// RestrictPublicBuckets keeps everyone but the owner out of a bucket a public policy opened; an
/// anonymous GET tells what the world sees.
/// </summary>
[FunctionalTests]
public sealed class PublicAccessBlockTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private async Task<HttpStatusCode> AnonymousGetAsync(string bucket, string key)
    {
        using var http = s3.Proxy.CreateHttpClient(signed: false);
        using var response = await http.GetAsync($"{bucket}/{key}");
        return response.StatusCode;
    }

    private Task BlockAsync(string bucket, bool blockAcls = false, bool ignoreAcls = false, bool blockPolicy = false, bool restrict = false) =>
        s3.Client.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = blockAcls, IgnorePublicAcls = ignoreAcls, BlockPublicPolicy = blockPolicy, RestrictPublicBuckets = restrict,
            },
        });

    [Fact]
    public async Task Public_ACLs_are_ignored_then_refused_and_the_configuration_reads_back_until_deleted()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "v", CannedACL = S3CannedACL.PublicRead });
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync(bucket, "k"));

        await BlockAsync(bucket, ignoreAcls: true);
        Assert.Equal(HttpStatusCode.Forbidden, await AnonymousGetAsync(bucket, "k"));
        await s3.Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.PublicRead }); // allowed, and ignored

        await BlockAsync(bucket, blockAcls: true);
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync(bucket, "k")); // no longer ignored
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => s3.Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.PublicReadWrite })));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => s3.Client.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.AuthenticatedRead })));
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() =>
            s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "p", ContentBody = "v", CannedACL = S3CannedACL.PublicRead })));
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "p", ContentBody = "v", CannedACL = S3CannedACL.Private });

        var read = (await s3.Client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration;
        Assert.Equal((true, false, false, false), (read.BlockPublicAcls ?? false, read.IgnorePublicAcls ?? false, read.BlockPublicPolicy ?? false, read.RestrictPublicBuckets ?? false));
        await s3.Client.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", await S3ErrorCode.OfAsync(() => s3.Client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })));
    }

    [Fact]
    public async Task A_public_policy_is_refused_or_restricted_to_the_owner()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.PutAsync(bucket, "k", "v");
        var publicRead = $$"""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{bucket}}/*"}]}""";

        await BlockAsync(bucket, blockPolicy: true);
        Assert.Equal("AccessDenied", await S3ErrorCode.OfAsync(() => s3.Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = publicRead })));

        await BlockAsync(bucket);
        await s3.Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = publicRead });
        Assert.Equal(HttpStatusCode.OK, await AnonymousGetAsync(bucket, "k"));
        await BlockAsync(bucket, restrict: true);
        Assert.Equal(HttpStatusCode.Forbidden, await AnonymousGetAsync(bucket, "k"));
        using (var got = await s3.Client.GetObjectAsync(bucket, "k")) Assert.Equal(HttpStatusCode.OK, got.HttpStatusCode);
    }
}
