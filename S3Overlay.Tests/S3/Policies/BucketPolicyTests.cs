using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.S3.Policies;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3.Policies;

/// <summary>
/// PutBucketPolicy, GetBucketPolicy, GetBucketPolicyStatus and DeleteBucketPolicy on every store:
/// the document back byte for byte, S3's errors, anonymous access it grants, and the policy gone
/// with its bucket.
/// </summary>
public abstract class BucketPolicyTests(StoreTargets target) : EveryStoreTests(target)
{
    [Fact]
    public async Task A_policy_is_set_read_applied_and_removed_and_goes_with_its_bucket()
    {
        var bucket = await Target.NewBucketAsync();
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "public/a.txt", ContentBody = "a" });
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "private/b.txt", ContentBody = "b" });
        using var anonymous = Target.Proxy.CreateHttpClient(signed: false);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetBucketPolicyAsync(bucket)).HttpStatusCode);
        await AssertErrorAsync("NoSuchBucketPolicy", 404, () => Client.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket }));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{bucket}/public/a.txt")).StatusCode);

        var policy = $$$"""{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{{bucket}}}/public/*"}}""";
        await Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy });
        Assert.Equal(policy, (await Client.GetBucketPolicyAsync(bucket)).Policy);
        Assert.True((await Client.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket })).PolicyStatus.IsPublic);
        Assert.Equal("a", await anonymous.GetStringAsync($"{bucket}/public/a.txt"));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{bucket}/private/b.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PutAsync($"{bucket}/public/c.txt", new StringContent("c"))).StatusCode);

        await Client.DeleteBucketPolicyAsync(bucket);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetBucketPolicyAsync(bucket)).HttpStatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{bucket}/public/a.txt")).StatusCode);

        await Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = CannedPolicies.ForBucket("download", bucket) });
        foreach (var key in new[] { "public/a.txt", "private/b.txt" }) await Client.DeleteObjectAsync(bucket, key);
        await Client.DeleteBucketAsync(bucket);
        if (Kind == StoreKind.Overlay) await Target.Backend!.DeleteBucketAsync(bucket);
        await AssertErrorAsync("NoSuchBucket", 404, () => Client.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket }));
        if (Kind == StoreKind.Overlay) await Target.Backend!.PutBucketAsync(bucket);
        await Client.PutBucketAsync(bucket);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetBucketPolicyAsync(bucket)).HttpStatusCode); // a bucket made again starts without one
    }

    [Fact]
    public async Task A_bad_policy_is_MalformedPolicy_and_changes_nothing()
    {
        var bucket = await Target.NewBucketAsync();
        var good = CannedPolicies.ForBucket("download", bucket)!;
        await Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = good });
        var other = """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::elsewhere/*"}}""";
        var e = await AssertErrorAsync("MalformedPolicy", 400, () => Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = other }));
        Assert.Equal("Policy has invalid resource", e.Message);
        Assert.Equal(good, (await Client.GetBucketPolicyAsync(bucket)).Policy);
    }

    private static async Task<AmazonS3Exception> AssertErrorAsync(string code, int status, Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(call);
        Assert.Equal((code, status), (e.ErrorCode, (int)e.StatusCode));
        return e;
    }
}

[FunctionalTests]
public sealed class EmbeddedStoreBucketPolicyTests(StoreTargets target) : BucketPolicyTests(target)
{
    protected override StoreKind Kind => StoreKind.Embedded;

    [Fact]
    public async Task A_policy_survives_a_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-policy-").FullName;
        try
        {
            var policy = CannedPolicies.ForBucket("download", "kept")!;
            await using (var first = await ProxyServer.StartAsync(dataDir: dataDir))
            using (var s3 = first.CreateClient())
            {
                await s3.PutBucketAsync("kept");
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "kept", Key = "k", ContentBody = "v" });
                await s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "kept", Policy = policy });
            }
            await using var second = await ProxyServer.StartAsync(dataDir: dataDir);
            using var again = second.CreateClient();
            Assert.Equal(policy, (await again.GetBucketPolicyAsync("kept")).Policy);
            Assert.Equal("v", await second.CreateHttpClient(signed: false).GetStringAsync("kept/k"));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

[FunctionalTests]
public sealed class S3LocalStoreBucketPolicyTests(StoreTargets target) : BucketPolicyTests(target)
{
    protected override StoreKind Kind => StoreKind.S3Local;
}

[FunctionalTests]
public sealed class OverlayBucketPolicyTests(StoreTargets target) : BucketPolicyTests(target)
{
    protected override StoreKind Kind => StoreKind.Overlay;
}

/// <summary>The same tests with Ceph's RADOS Gateway, a production S3 server, as the local store.</summary>
[FunctionalTests]
public sealed class RgwLocalStoreBucketPolicyTests(StoreTargets target) : BucketPolicyTests(target)
{
    protected override StoreKind Kind => StoreKind.RgwLocal;
}
