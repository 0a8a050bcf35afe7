using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>
/// Deleting the null version by its id, as S3 documents it: the version is gone for good. The
/// remote's object, the null version of the merged view, is never written, yet once deleted it is
/// listed nowhere, read by no id, and does not come back as current when the versions and markers
/// above it go: the key is then simply absent.
/// </summary>
public abstract partial class RemoteBackedVersioningTests
{
    /// <summary>
    /// A key with no version at all: GET and HEAD answer 404 NoSuchKey without naming a delete
    /// marker, a listing leaves it out, and its null version is NoSuchVersion.
    /// </summary>
    private static async Task AssertAbsentAsync(OverlayEnvironment env, string key)
    {
        using (var http = env.Proxy.CreateHttpClient())
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var answer = await http.SendAsync(new HttpRequestMessage(method, $"{env.Bucket}/{key}"));
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                Assert.False(answer.Headers.Contains("x-amz-delete-marker"), $"{method} names a delete marker");
                if (method == HttpMethod.Get) Assert.Contains("<Code>NoSuchKey</Code>", await answer.Content.ReadAsStringAsync());
            }
        Assert.DoesNotContain(key, (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects?.Select(o => o.Key) ?? []);
        await AssertNoNullVersionAsync(env, key);
    }

    private static async Task<bool> IsMissingAsync(OverlayEnvironment env, string key)
    {
        using var http = env.Proxy.CreateHttpClient();
        using var answer = await http.GetAsync($"{env.Bucket}/{key}");
        return answer.StatusCode == HttpStatusCode.NotFound;
    }

    /// <summary>GET and HEAD of the null version answer 404 NoSuchVersion.</summary>
    private static async Task AssertNoNullVersionAsync(OverlayEnvironment env, string key)
    {
        var got = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => BodyAsync(env.Client, env.Bucket, key, "null"));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchVersion"), (got.StatusCode, got.ErrorCode));
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = env.Bucket, Key = key, VersionId = "null" }));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Deleting_the_remotes_null_version_beneath_a_local_version_lasts_once_that_version_is_gone()
    {
        await using var env = await StartVersionedAsync();
        var s3 = env.Client;
        foreach (var key in new[] { "a.txt", "doc.txt", "z.txt" })
            await SeedAsync(env, key, "remote " + key);
        var mine = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "mine" })).VersionId;

        var deleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        Assert.Equal("null", deleted.VersionId);
        Assert.NotEqual("true", deleted.DeleteMarker);
        List<(string, string, bool, bool)> expected = [("a.txt", "null", true, false), ("doc.txt", mine, true, false), ("z.txt", "null", true, false)];
        // Every page size: a page may end inside the key, after its local version, where its remote object would come next.
        foreach (var size in new[] { 1, 2, 1000 })
            Assert.Equal(expected, await VersionsAsync(env, size));
        await AssertNoNullVersionAsync(env, "doc.txt");
        Assert.Equal("mine", await BodyAsync(s3, env.Bucket, "doc.txt"));
        // Deleting it again is no error, and changes nothing.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        Assert.Equal(expected, await VersionsAsync(env));

        // The local version removed, the key has none left: absent, not the remote's object again.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = mine });
        await AssertAbsentAsync(env, "doc.txt");
        Assert.Equal([expected[0], expected[2]], await VersionsAsync(env));
        Assert.Equal([expected[0], expected[2]], await VersionsAsync(env, 1));

        // A later version stacks over nothing; removed too, the key is absent again.
        var later = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "later" })).VersionId;
        Assert.Equal("later", await BodyAsync(s3, env.Bucket, "doc.txt"));
        Assert.Equal([expected[0], ("doc.txt", later, true, false), expected[2]], await VersionsAsync(env));
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = later });
        await AssertAbsentAsync(env, "doc.txt");

        // A new null version (versioning suspended) is the key's null version, current and listed.
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "new null" });
        Assert.Equal("new null", await BodyAsync(s3, env.Bucket, "doc.txt"));
        Assert.Equal("new null", await BodyAsync(s3, env.Bucket, "doc.txt", "null"));
        Assert.Equal([expected[0], ("doc.txt", "null", true, false), expected[2]], await VersionsAsync(env));

        Assert.Equal("remote doc.txt", await BodyAsync(env.Remote, env.Bucket, "doc.txt"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    [Fact]
    public async Task Deleting_the_remotes_null_version_beneath_a_delete_marker_lasts_once_the_marker_is_gone()
    {
        await using var env = await StartVersionedAsync();
        var s3 = env.Client;
        await SeedAsync(env, "doc.txt", "from the remote");
        var marker = (await s3.DeleteObjectAsync(env.Bucket, "doc.txt")).VersionId;

        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        Assert.Equal([("doc.txt", marker, true, true)], await VersionsAsync(env));
        Assert.Equal([("doc.txt", marker, true, true)], await VersionsAsync(env, 1));
        await AssertNoNullVersionAsync(env, "doc.txt");
        var current = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => BodyAsync(s3, env.Bucket, "doc.txt"));
        Assert.Equal(HttpStatusCode.NotFound, current.StatusCode);

        var unmarked = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = marker });
        Assert.Equal("true", unmarked.DeleteMarker);
        await AssertAbsentAsync(env, "doc.txt");
        Assert.Empty(await VersionsAsync(env));

        // Empty to clients, the bucket can be deleted; made again (its versioning enabled anew), it starts with the remote's null versions.
        await s3.DeleteBucketAsync(env.Bucket);
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        Assert.Equal([("doc.txt", "null", true, false)], await VersionsAsync(env));
        Assert.Equal("from the remote", await BodyAsync(s3, env.Bucket, "doc.txt", "null"));

        Assert.Equal("from the remote", await BodyAsync(env.Remote, env.Bucket, "doc.txt"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    [Fact]
    public async Task Deleting_a_local_null_version_leaves_no_null_version_and_the_remotes_object_does_not_take_its_place()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind);
        await SeedAsync(env, "doc.txt", "from the remote");
        await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Suspended },
        });
        // Written while suspended, the null version replaces the remote's object, as in S3 a new null version replaces the old.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "doc.txt", ContentBody = "local null" });
        Assert.Equal("local null", await BodyAsync(env.Client, env.Bucket, "doc.txt", "null"));

        await env.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "doc.txt", VersionId = "null" });
        await AssertAbsentAsync(env, "doc.txt");
        Assert.Empty(await VersionsAsync(env));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    [Fact]
    public async Task Lifecycle_removes_a_delete_marker_left_alone_over_a_deleted_null_version_and_the_key_stays_absent()
    {
        await using var env = await StartVersionedAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
            ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = "2",
        });
        var s3 = env.Client;
        await SeedAsync(env, "marked.txt", "remote marked");
        await SeedAsync(env, "gone.txt", "remote gone");
        await SeedAsync(env, "kept.txt", "remote kept");
        // Under a marker: the marker is then its key's only version, an expired one.
        var marker = (await s3.DeleteObjectAsync(env.Bucket, "marked.txt")).VersionId;
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "marked.txt", VersionId = "null" });
        // With nothing above: no version left to decide.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "gone.txt", VersionId = "null" });
        // A marker over the remote's object, still there: not its key's only version, so it stays.
        var over = (await s3.DeleteObjectAsync(env.Bucket, "kept.txt")).VersionId;
        Assert.Equal([("kept.txt", over, true, true), ("kept.txt", "null", false, false), ("marked.txt", marker, true, true)], await VersionsAsync(env));
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = env.Bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "tidy", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } },
                        Expiration = new LifecycleRuleExpiration { ExpiredObjectDeleteMarker = true },
                    },
                ],
            },
        });

        // The marker's version goes first, then the whiteout that keeps the key absent is written: wait for both.
        await Polling.EventuallyAsync(async () => (await VersionsAsync(env, prefix: "marked")).Count == 0 && await IsMissingAsync(env, "marked.txt"),
            "the marker left alone goes, and the key stays absent", TimeSpan.FromSeconds(60));
        await AssertAbsentAsync(env, "marked.txt");
        // Scans later: the key absent still, the other untouched.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await AssertAbsentAsync(env, "marked.txt");
        await AssertAbsentAsync(env, "gone.txt");
        Assert.Equal([("kept.txt", over, true, true), ("kept.txt", "null", false, false)], await VersionsAsync(env));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }

    /// <summary>
    /// rclone's <c>backend cleanup-hidden</c> removes every version that is not current, the
    /// delete markers too, several at once (its checkers run in parallel): a key deleted over the
    /// remote's object loses its marker and its null version together, and must stay absent
    /// whichever delete the store sees first; a key written over the remote's keeps only that write.
    /// </summary>
    [Fact]
    public async Task Rclone_cleanup_hidden_leaves_deleted_keys_absent_and_written_keys_with_their_last_write()
    {
        await using var env = await StartVersionedAsync();
        var deletedKeys = Enumerable.Range(0, 8).Select(i => $"gone/{i}.txt").ToArray();
        foreach (var key in deletedKeys.Append("written.txt").Append("untouched.txt"))
            await SeedAsync(env, key, "remote " + key);
        foreach (var key in deletedKeys) await env.Client.DeleteObjectAsync(env.Bucket, key);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "written.txt", ContentBody = "mine" });
        env.Relay.ResetCounts();

        using var rclone = new ClientProcess();
        rclone.UseRcloneRemote(env.Proxy.Url);
        var cleanup = await rclone.TryRunAsync("/usr/bin/rclone", ["backend", "cleanup-hidden", $"overlay:{env.Bucket}", "--retries", "1", "--low-level-retries", "1"]);
        Assert.True(cleanup.ExitCode == 0, cleanup.StdErr);

        foreach (var key in deletedKeys) await AssertAbsentAsync(env, key);
        Assert.Equal("mine", await BodyAsync(env.Client, env.Bucket, "written.txt"));
        await AssertNoNullVersionAsync(env, "written.txt");
        Assert.Equal("remote untouched.txt", await BodyAsync(env.Client, env.Bucket, "untouched.txt"));
        Assert.Equal(0, env.Relay.Requests("PUT") + env.Relay.Requests("DELETE") + env.Relay.Requests("POST"));
    }
}
