using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.S3;

/// <summary>
/// Conditional deletes, as S3 has them for general purpose buckets since September 2025:
/// DeleteObject's If-Match and DeleteObjects' ETag element. A delete whose ETag no longer names the
/// current object is 412 PreconditionFailed and deletes nothing; If-Match where the key holds no
/// object (a delete marker is none) is 404 NoSuchKey; <c>*</c> asks only that an object be there.
/// </summary>
[FunctionalTests]
public sealed class ConditionalDeleteTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    [Fact]
    public async Task If_match_deletes_only_the_named_object()
    {
        var bucket = await s3.NewBucketAsync();
        var v1 = await s3.PutAsync(bucket, "doc", "v1");
        var v2 = await s3.PutAsync(bucket, "doc", "v2");

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(bucket, "doc", v1.ETag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("PreconditionFailed", stale.ErrorCode);
        Assert.Equal("v2", await s3.GetTextAsync(bucket, "doc"));

        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync(bucket, "doc", v2.ETag)).HttpStatusCode);
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(bucket, "doc", "*"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.NoContent, (await s3.Client.DeleteObjectAsync(bucket, "doc")).HttpStatusCode);

        await s3.PutAsync(bucket, "doc", "v3");
        await DeleteAsync(bucket, "doc", "*");
        Assert.Empty((await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects ?? []);
    }

    [Fact]
    public async Task In_a_bucket_that_keeps_versions_if_match_is_checked_against_the_current_version_or_the_one_named()
    {
        var bucket = await s3.NewBucketAsync();
        await s3.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        var v1 = await s3.PutAsync(bucket, "doc", "v1");
        var v2 = await s3.PutAsync(bucket, "doc", "v2");

        var stale = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(bucket, "doc", v1.ETag));
        Assert.Equal("PreconditionFailed", stale.ErrorCode);
        var marked = await DeleteAsync(bucket, "doc", v2.ETag);
        Assert.Equal("true", marked.DeleteMarker);
        // The current version is the delete marker now: no object to match.
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(bucket, "doc", "*"));
        Assert.Equal("NoSuchKey", gone.ErrorCode);

        // By version id: that version's ETag decides.
        var wrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => DeleteAsync(bucket, "doc", v2.ETag, v1.VersionId));
        Assert.Equal("PreconditionFailed", wrong.ErrorCode);
        await DeleteAsync(bucket, "doc", v1.ETag, v1.VersionId);
        var versions = await s3.Client.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
        Assert.Equal(new[] { v2.VersionId, marked.VersionId }.Order(), versions.Versions.Select(v => v.VersionId).Order());
    }

    [Fact]
    public async Task DeleteObjects_checks_each_keys_etag_on_its_own()
    {
        var bucket = await s3.NewBucketAsync();
        var kept = await s3.PutAsync(bucket, "kept", "k");
        var gone = await s3.PutAsync(bucket, "gone", "g");

        // The SDK throws on a result with errors, the result in hand.
        var response = (await Assert.ThrowsAsync<DeleteObjectsException>(() => s3.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = [new KeyVersion { Key = "kept", ETag = gone.ETag }, new KeyVersion { Key = "gone", ETag = gone.ETag }, new KeyVersion { Key = "never", ETag = kept.ETag }],
        }))).Response;

        Assert.Equal(["gone"], (response.DeletedObjects ?? []).Select(d => d.Key).ToArray());
        var errors = (response.DeleteErrors ?? []).ToDictionary(e => e.Key, e => e.Code);
        Assert.Equal("PreconditionFailed", errors["kept"]);
        Assert.Equal("NoSuchKey", errors["never"]);
        Assert.Equal("k", await s3.GetTextAsync(bucket, "kept"));
    }

    private Task<DeleteObjectResponse> DeleteAsync(string bucket, string key, string ifMatch, string? versionId = null) =>
        s3.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key, IfMatch = ifMatch, VersionId = versionId });
}
