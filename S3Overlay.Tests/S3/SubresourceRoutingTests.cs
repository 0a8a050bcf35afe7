using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.S3.Routing;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// A PUT or DELETE naming a sub-resource (<c>?versioning</c>, <c>?lifecycle</c>…) is that
/// operation or NotImplemented: never CreateBucket, DeleteBucket, PutObject or DeleteObject.
/// One table over every sub-resource S3 defines.
/// </summary>
[FunctionalTests]
public sealed class SubresourceRoutingTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    public static TheoryData<string> SubResources => new(OperationQueries.Names);

    private async Task<HttpStatusCode> HeadAsync(string path)
    {
        using var head = await RawS3.SendAsync(s3.Proxy, HttpMethod.Head, path);
        return head.StatusCode;
    }

    [Theory]
    [MemberData(nameof(SubResources))]
    public async Task A_bucket_subresource_PUT_or_DELETE_neither_creates_nor_deletes_the_bucket(string name)
    {
        var empty = await s3.NewBucketAsync();
        using (var delete = await RawS3.SendAsync(s3.Proxy, HttpMethod.Delete, $"/{empty}?{name}"))
            Assert.True(delete.StatusCode != HttpStatusCode.NoContent || name is "cors" or "policy" or "tagging" or "lifecycle" or "encryption" or "ownershipControls" or "publicAccessBlock", $"DELETE ?{name} answered 204");
        Assert.Equal(HttpStatusCode.OK, await HeadAsync("/" + empty));

        var absent = "never-" + Guid.NewGuid().ToString("N")[..12];
        using (var put = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{absent}?{name}", ""))
            Assert.NotEqual(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await HeadAsync("/" + absent));
    }

    [Theory]
    [MemberData(nameof(SubResources))]
    public async Task An_object_subresource_PUT_or_DELETE_neither_writes_nor_deletes_the_object(string name)
    {
        var bucket = await s3.NewBucketAsync();
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "kept", ContentBody = "kept" });

        using (await RawS3.SendAsync(s3.Proxy, HttpMethod.Delete, $"/{bucket}/kept?{name}")) { }
        Assert.Equal(HttpStatusCode.OK, await HeadAsync($"/{bucket}/kept"));
        using (await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}/made?{name}", "body")) { }
        Assert.Equal(HttpStatusCode.NotFound, await HeadAsync($"/{bucket}/made"));
    }

    [Fact]
    public async Task Bucket_versioning_reads_as_never_enabled_until_enabled_then_as_enabled_or_suspended_and_MFA_delete_is_NotImplemented()
    {
        var bucket = await s3.NewBucketAsync();
        var status = await s3.Client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        Assert.Null(status.VersioningConfig.Status?.Value is { Length: > 0 } v && v != "Off" ? v : null);

        foreach (var wanted in new[] { VersionStatus.Enabled, VersionStatus.Suspended })
        {
            await s3.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = wanted },
            });
            status = await s3.Client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
            Assert.Equal(wanted, status.VersioningConfig.Status);
        }
        var mfa = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}?versioning",
            "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>");
        await RawS3.AssertErrorAsync(mfa, 501, "NotImplemented");
        var unknown = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, $"/{bucket}?versioning", "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>");
        await RawS3.AssertErrorAsync(unknown, 400, "MalformedXML");
        var absent = await RawS3.SendAsync(s3.Proxy, HttpMethod.Put, "/never-made-bucket?versioning", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
        await RawS3.AssertErrorAsync(absent, 404, "NoSuchBucket");
    }
}
