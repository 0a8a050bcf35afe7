using System.Net;
using Amazon.S3.Model;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>
/// Lifecycle over a locked bucket the remote backs, as S3 documents it: a delete marker is never
/// locked, and an expired one (its key's only version left) is removed by
/// <c>ExpiredObjectDeleteMarker</c>, even where the local store has locked the whiteout that is
/// the marker (RGW gives every write its bucket's default retention); a marker over the remote's
/// object is not its key's only version (the remote's is the null version), so it stays, and the
/// object stays deleted; a locked noncurrent version is kept, and the scan goes on past it.
/// </summary>
public abstract partial class RemoteBackedObjectLockTests
{
    private const int LifecycleDaySeconds = 2;

    [Fact]
    public async Task Lifecycle_removes_an_expired_delete_marker_but_never_a_locked_version_nor_a_marker_over_the_remotes_object()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
            ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = LifecycleDaySeconds.ToString(),
        });
        await SeedAsync(env, "remote.txt", "from the remote");
        await LockBucketAsync(env, defaultDays: 1);
        var locked = (await env.Client.PutObjectAsync(new PutObjectRequest
            { BucketName = env.Bucket, Key = "locked.txt", ContentBody = "kept", MD5Digest = Md5Of("kept") })).VersionId;
        var lockedMarker = (await env.Client.DeleteObjectAsync(env.Bucket, "locked.txt")).VersionId;
        var remoteMarker = (await env.Client.DeleteObjectAsync(env.Bucket, "remote.txt")).VersionId;
        // As on S3, deleting a key that has no version still writes a delete marker: its key's only version.
        var lone = await env.Client.DeleteObjectAsync(env.Bucket, "nothing.txt");
        Assert.Equal("true", lone.DeleteMarker);
        Assert.Equal([lone.VersionId], (await VersionsAsync(env, "nothing.txt")).Select(v => v.VersionId));
        // Past the locked version's noncurrent day before the rules exist: every scan meets its refusal before the lone marker's key.
        await Task.Delay(TimeSpan.FromSeconds(LifecycleDaySeconds + 1));
        await PutLifecycleAsync(env, """
            {"Rules":[{"ID":"tidy","Filter":{"Prefix":""},"Status":"Enabled",
              "NoncurrentVersionExpiration":{"NoncurrentDays":1},"Expiration":{"ExpiredObjectDeleteMarker":true}}]}
            """);

        await Polling.EventuallyAsync(async () => (await VersionsAsync(env, "nothing.txt")).Count == 0, "the expired delete marker goes", TimeSpan.FromSeconds(60));

        // Scans later, the rest stands: the locked version behind its marker, the marker over the remote's object.
        await Task.Delay(TimeSpan.FromSeconds(2 * LifecycleDaySeconds + 2));
        Assert.Equal([(lockedMarker, true), (locked, false)], (await VersionsAsync(env, "locked.txt")).Select(v => (v.VersionId, v.IsDeleteMarker == true)));
        Assert.Equal([(remoteMarker, true), ("null", false)], (await VersionsAsync(env, "remote.txt")).Select(v => (v.VersionId, v.IsDeleteMarker == true)));
        await RefusedAsync(HttpStatusCode.NotFound, "NoSuchKey", () => BodyAsync(env, "remote.txt"));
        Assert.Equal("kept", await BodyAsync(env, "locked.txt", locked));
        AssertRemoteNeverWritten(env);
    }

    private static async Task<List<S3ObjectVersion>> VersionsAsync(OverlayEnvironment env, string key) =>
        [.. ((await env.Client.ListVersionsAsync(new ListVersionsRequest { BucketName = env.Bucket, Prefix = key })).Versions ?? []).Where(v => v.Key == key)];

    private static async Task PutLifecycleAsync(OverlayEnvironment env, string rules)
    {
        using var aws = new ClientProcess();
        aws.UseAwsProfile();
        var put = await aws.TryRunAsync(AwsCliShell.Program, ["s3api", "put-bucket-lifecycle-configuration", "--bucket", env.Bucket,
            "--lifecycle-configuration", rules, "--endpoint-url", env.Proxy.Url, "--no-cli-pager"]);
        Assert.True(put.ExitCode == 0, put.StdErr);
    }
}
