using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// What the overlay may ask of the remote : only the buckets it is
/// allowed, at most so many fills at once, and its spill files readable by the proxy's user only.
/// Over real loopback with s3rver as the remote; the relay counts what reaches it.
/// </summary>
[FunctionalTests]
public sealed class OverlayRemoteReachTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private Task<OverlayEnvironment> StartAsync(params (string Name, string? Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings.ToDictionary(s => s.Name, s => s.Value));

    [Fact]
    public async Task Without_an_allow_list_a_bucket_outside_the_mapping_is_local_only_and_the_remote_is_not_asked()
    {
        await using var env = await StartAsync(("S3_OVERLAY_REMOTE_BUCKETS", ""));
        await env.SeedRemoteAsync("secret.bin", 1000, 1);

        var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "secret.bin"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("NoSuchBucket", get.ErrorCode); // the bucket is nowhere this proxy may look
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectMetadataAsync(env.Bucket, "secret.bin"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        var list = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket }));
        Assert.Equal("NoSuchBucket", list.ErrorCode);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task The_mappings_remote_buckets_are_always_allowed()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("open.bin", 1000, 2);
        await using var mapped = await env.StartAnotherProxyAsync(("S3_OVERLAY_REMOTE_BUCKETS", ""), ("S3_OVERLAY_BUCKET_MAPPING", $"mapped:{env.Bucket}"));
        using var client = mapped.CreateClient(defaults: false);

        using var response = await client.GetObjectAsync("mapped", "open.bin");
        Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, 0, 1000, 2));
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task An_allow_list_of_star_reads_any_remote_bucket()
    {
        await using var env = await StartAsync(("S3_OVERLAY_REMOTE_BUCKETS", "*"));
        await env.SeedRemoteAsync("any.bin", 1000, 3);
        await env.GetAndCheckAsync("any.bin", 3, 1000);
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task Past_the_fill_cap_a_new_fill_is_refused_with_503_SlowDown_without_asking_the_remote()
    {
        await using var env = await StartAsync(("S3_OVERLAY_MAX_FILLS", "1"));
        await env.SeedRemoteAsync("first.bin", MiB, 4);
        await env.SeedRemoteAsync("second.bin", 1000, 5);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = 256 * 1024;
        env.Relay.PauseMidBody = release;

        // The first fill holds the only slot: its remote body is paused halfway.
        using var first = await env.Client.GetObjectAsync(env.Bucket, "first.bin");
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "second.bin"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("SlowDown", refused.ErrorCode);
        Assert.Equal(1, env.Relay.Requests("GET"));

        release.SetResult();
        Assert.Null(await PatternData.MismatchAsync(first.ResponseStream, 0, MiB, 4));
        await env.FillsIdleAsync();
        await env.GetAndCheckAsync("second.bin", 5, 1000); // the slot is free again
        Assert.Equal(2, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task Spill_files_are_readable_by_the_owner_only_and_those_of_ended_runs_are_swept_at_start_up()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes only");
        var spill = Directory.CreateTempSubdirectory("s3overlay-spill-").FullName;
        try
        {
            var stale = Path.Combine(spill, "spill-0123456789abcdef0123456789abcdef.tmp");
            var unrelated = Path.Combine(spill, "notes.txt");
            await File.WriteAllTextAsync(stale, "left by a crash");
            await File.WriteAllTextAsync(unrelated, "not ours");
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1)); // of a version before run folders
            // A run killed a second ago: its folder's lock is free, so its files go however young.
            var ended = Directory.CreateDirectory(Path.Combine(spill, "run-1-ended")).FullName;
            await File.WriteAllTextAsync(Path.Combine(ended, "spill-fedcba9876543210fedcba9876543210.tmp"), "cut off by a kill");

            // An S3 local store: the embedded one takes the spill file itself (FillFileTests).
            await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.S3, new Dictionary<string, string?> { ["S3_OVERLAY_SPILL_DIR"] = spill });
            Assert.False(File.Exists(stale), "a spill file a previous run left is swept at start-up");
            Assert.False(Directory.Exists(ended), "an ended run's spill folder is swept at start-up");
            Assert.True(File.Exists(unrelated), "only spill files are swept");

            await env.SeedRemoteAsync("spilled.bin", MiB, 6);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            env.Relay.CutAfterBytes = 256 * 1024;
            env.Relay.PauseMidBody = release;
            using var reading = await env.Client.GetObjectAsync(env.Bucket, "spilled.bin");
            var file = Assert.Single(Directory.GetFiles(spill, "spill-*.tmp", SearchOption.AllDirectories));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
            release.SetResult();
            Assert.Null(await PatternData.MismatchAsync(reading.ResponseStream, 0, MiB, 6));
        }
        finally
        {
            Directory.Delete(spill, recursive: true);
        }
    }
    [Fact]
    public async Task Whoever_writes_to_the_remote_cannot_make_an_object_public_here()
    {
        await using var env = await StartAsync();
        // What our own S3 store writes for a public-read object, set by hand on the remote.
        await env.SeedRemoteAsync("planted.bin", 1000, 6, put => put.Metadata.Add("s3overlay-acl", "Owner:FULL_CONTROL,AllUsers:READ"));
        using var anonymous = new HttpClient { BaseAddress = new Uri(env.Proxy.Url + "/") };

        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{env.Bucket}/planted.bin")).StatusCode);
        await env.GetAndCheckAsync("planted.bin", 6, 1000); // signed: a fill, now a local copy
        await env.FillsIdleAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{env.Bucket}/planted.bin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{env.Bucket}/planted.bin"))).StatusCode);
    }
}
