using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// The overlay as a user sees it, over real HTTP: the proxy with a local store in front of s3rver
/// as the remote, and a counting relay between them proving what reaches the remote. Runs once
/// per kind of local store (the subclasses at the end of the file).
/// </summary>
public abstract class OverlayReadThroughTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    /// <summary>The remote S3 server: s3rver, or RGW (a production server: none of s3rver's bugs).</summary>
    protected virtual RemoteKind RemoteServer => RemoteKind.S3rver;

    /// <summary>The object 32 clients ask for at once (20 MiB: enough that a second fetch would show in the remote's bytes).</summary>
    protected virtual long HotObjectSize => 20 * MiB;

    /// <summary>The chunked object of the range test (200 MiB), in 8 MiB chunks.</summary>
    protected virtual long LargeObjectSize => 200 * MiB;

    /// <summary>False where the local store keeps what arrived of an aborted upload (s3rver's bug; MinIO and the embedded store do not).</summary>
    protected virtual bool FailedUploadsLeaveNothing => true;

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, Kind, settings.ToDictionary(s => s.Name, s => (string?)s.Value), remoteKind: RemoteServer);

    [Fact]
    public async Task A_local_object_is_served_without_asking_the_remote()
    {
        await using var env = await StartAsync();
        await env.Client.PutBucketAsync(env.Bucket);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "local.bin", InputStream = PatternData.Open(1000, 1), UseChunkEncoding = false });

        await env.GetAndCheckAsync("local.bin", 1, 1000);
        await env.Client.GetObjectMetadataAsync(env.Bucket, "local.bin");
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task A_head_of_a_remote_object_answers_from_the_remote_and_stores_nothing()
    {
        await using var env = await StartAsync();
        var put = await env.SeedRemoteAsync("remote.bin", 5000, 2, r => r.ContentType = "image/png");

        var head = await env.Client.GetObjectMetadataAsync(env.Bucket, "remote.bin");
        Assert.Equal(HttpStatusCode.OK, head.HttpStatusCode);
        Assert.Equal(5000, head.ContentLength);
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal("image/png", head.Headers.ContentType);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("remote.bin"));

        await env.Client.GetObjectMetadataAsync(env.Bucket, "remote.bin");
        Assert.Equal(2, env.Relay.Requests("HEAD"));
        Assert.Equal(0, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task With_caching_on_a_filled_object_is_served_locally_with_the_remotes_headers()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("doc.txt", 300_000, 3, r =>
        {
            r.ContentType = "text/plain";
            r.Metadata["colour"] = "blue";
            r.Headers.ContentDisposition = "attachment; filename=doc.txt";
        });
        using var original = await env.Remote.GetObjectAsync(env.Bucket, "doc.txt");

        var first = await env.GetAndCheckAsync("doc.txt", 3, 300_000);
        await EventuallyAsync(() => env.IsStoredLocallyAsync("doc.txt"), "the fill is stored locally");
        env.Relay.ResetCounts();
        var second = await env.GetAndCheckAsync("doc.txt", 3, 300_000);

        Assert.Equal(0, env.Relay.TotalRequests);
        foreach (var served in new[] { first, second })
        {
            Assert.Equal(original.ETag, served.ETag);
            Assert.Equal(original.LastModified, served.LastModified);
            Assert.Equal("text/plain", served.Headers.ContentType);
            Assert.Equal("blue", served.Metadata["x-amz-meta-colour"]);
            Assert.Equal("attachment; filename=doc.txt", served.Headers.ContentDisposition);
        }

        // Conditional requests are answered against the remote's validators.
        var notModified = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = "doc.txt", EtagToNotMatch = original.ETag }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Concurrent_cold_reads_of_one_object_make_one_remote_request()
    {
        await using var env = await StartAsync();
        var size = HotObjectSize;
        await env.SeedRemoteAsync("hot.bin", size, 4);

        var reads = Enumerable.Range(0, 32).Select(_ => Task.Run(() => env.GetAndCheckAsync("hot.bin", 4, size)));
        await Task.WhenAll(reads);

        Assert.Equal(1, env.Relay.Requests("GET"));
        Assert.Equal(size, env.Relay.BytesRelayed);
    }

    [Fact]
    public async Task A_large_object_is_cached_in_chunks_and_a_range_fetches_only_what_it_touches()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CHUNK_SIZE", $"{8 * MiB}"), ("S3_OVERLAY_CHUNK_THRESHOLD", $"{16 * MiB}"));
        var size = LargeObjectSize;
        const long chunk = 8 * MiB;
        await env.SeedRemoteAsync("big.bin", size, 5);

        // 1 MiB in the middle: one ranged remote GET of the one chunk it touches.
        var first = size / 2;
        var range = await env.GetAndCheckAsync("big.bin", 5, size, first, first + MiB - 1);
        Assert.Equal(HttpStatusCode.PartialContent, range.HttpStatusCode);
        // The chunk's fill outlives the client's 1 MiB: once it is over, the chunk is stored. (A
        // read polled before that joined the fill in flight, which proved nothing about the cache.)
        await env.FillsIdleAsync();
        Assert.Equal(chunk, env.Relay.BytesRelayed);
        Assert.Equal(1, env.Relay.Requests("GET"));

        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("big.bin", 5, size, first + 4096, first + 8191);
        Assert.Equal(0, env.Relay.TotalRequests); // a second range in the cached chunk costs the remote nothing

        env.Relay.ResetCounts();
        var whole = await env.GetAndCheckAsync("big.bin", 5, size);
        Assert.Equal(HttpStatusCode.OK, whole.HttpStatusCode);
        Assert.Equal(size - chunk, env.Relay.BytesRelayed);
        Assert.Equal(size / chunk - 1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task A_replaced_remote_object_is_never_mixed_with_the_old_ones_chunks()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CHUNK_SIZE", $"{1 * MiB}"), ("S3_OVERLAY_CHUNK_THRESHOLD", $"{2 * MiB}"));
        const long size = 5 * MiB;
        await env.SeedRemoteAsync("v.bin", size, 6);
        await env.GetAndCheckAsync("v.bin", 6, size, 0, 1000);
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            await env.GetAndCheckAsync("v.bin", 6, size, 0, 1000);
            return env.Relay.TotalRequests == 0;
        }, "the first chunk of the old version is cached");

        await env.SeedRemoteAsync("v.bin", size, 7);
        var whole = await env.GetAndCheckAsync("v.bin", 7, size);
        Assert.Equal(HttpStatusCode.OK, whole.HttpStatusCode);
        // Until the new version's manifest is stored, a range may still be answered (wholly) from the old one.
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            var version = await env.VersionServedAsync("v.bin", 0, 1000, 7, 6);
            Assert.NotNull(version);
            return version == 7 && env.Relay.TotalRequests == 0;
        }, "the new version's first chunk replaces the old one's");
    }

    [Fact]
    public async Task Filled_objects_are_served_with_the_remote_down()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CHUNK_SIZE", $"{1 * MiB}"), ("S3_OVERLAY_CHUNK_THRESHOLD", $"{2 * MiB}"));
        await env.SeedRemoteAsync("small.bin", 100_000, 8);
        await env.SeedRemoteAsync("large.bin", 3 * MiB + 17, 9);
        await env.GetAndCheckAsync("small.bin", 8, 100_000);
        await env.GetAndCheckAsync("large.bin", 9, 3 * MiB + 17);
        // The copies are stored after their readers have the bytes: a read of the key while one is
        // written is a read of a write in progress, which a store that writes in place (s3rver)
        // answers torn (seen once in a full run: the client's MD5 check failed).
        await env.FillsIdleAsync();
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            await env.GetAndCheckAsync("small.bin", 8, 100_000);
            await env.GetAndCheckAsync("large.bin", 9, 3 * MiB + 17);
            return env.Relay.TotalRequests == 0;
        }, "both objects are cached");

        await env.Relay.StopAsync();
        await env.GetAndCheckAsync("small.bin", 8, 100_000);
        var whole = await env.GetAndCheckAsync("large.bin", 9, 3 * MiB + 17);
        Assert.Equal(HttpStatusCode.OK, whole.HttpStatusCode);
        await env.GetAndCheckAsync("large.bin", 9, 3 * MiB + 17, MiB - 5, 2 * MiB + 5);
        var head = await env.Client.GetObjectMetadataAsync(env.Bucket, "large.bin");
        Assert.Equal(3 * MiB + 17, head.ContentLength);

        // Something not cached, with the remote down: a gateway error, not a 404.
        var down = await Assert.ThrowsAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "never-seen.bin"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }

    [Fact]
    public async Task A_remote_500_is_a_502_and_a_missing_key_a_404()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("there.bin", 1000, 10);

        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "absent.bin"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchKey", missing.ErrorCode);

        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        var broken = await Assert.ThrowsAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "there.bin"));
        // docs/overlay.md, "Errors": a remote that answers 5xx is the gateway's trouble, 502.
        Assert.Equal(HttpStatusCode.BadGateway, broken.StatusCode);
        var brokenHead = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => env.Client.GetObjectMetadataAsync(env.Bucket, "there.bin"));
        Assert.Equal(HttpStatusCode.BadGateway, brokenHead.StatusCode);
    }

    [Fact]
    public async Task A_remote_body_cut_halfway_fails_the_read_stores_nothing_and_the_next_read_fills()
    {
        await using var env = await StartAsync();
        const long size = 4 * MiB;
        await env.SeedRemoteAsync("cut.bin", size, 11);
        env.Relay.Mode = CountingRelay.Behaviour.CutMidBody;
        env.Relay.CutAfterBytes = MiB;

        await Assert.ThrowsAnyAsync<Exception>(() => env.GetAndCheckAsync("cut.bin", 11, size));
        // s3rver as the local store keeps the half it received (its bug); the rest needs an atomic store.
        if (!FailedUploadsLeaveNothing) Assert.Skip("this local store keeps what arrived of a failed upload (s3rver's bug)");
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("cut.bin"));

        env.Relay.Mode = CountingRelay.Behaviour.Relay;
        await env.GetAndCheckAsync("cut.bin", 11, size);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("cut.bin"), "the second read fills the object");
    }

    [Fact]
    public async Task With_caching_off_bodies_stream_through_and_nothing_is_stored()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CACHE_ENABLED", "false"));
        await env.SeedRemoteAsync("pass.bin", 3 * MiB, 12);

        await env.GetAndCheckAsync("pass.bin", 12, 3 * MiB);
        await env.GetAndCheckAsync("pass.bin", 12, 3 * MiB, 1000, 2000);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("pass.bin"));
        Assert.Equal(2, env.Relay.Requests("GET"));
    }
}

[FunctionalTests]
[StartsFirst]
public sealed class OverlayOverEmbeddedStoreTests(OverlayServers servers) : OverlayReadThroughTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>The same tests with a second s3rver as the local store (S3_OVERLAY_LOCAL_ENDPOINT).</summary>
[FunctionalTests]
public sealed class OverlayOverS3LocalStoreTests(OverlayServers servers) : OverlayReadThroughTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;

    // Smaller figures: every byte cached also crosses s3rver (Node), and the suite must stay fast.
    protected override long HotObjectSize => 4 * MiB;
    protected override long LargeObjectSize => 48 * MiB;

    // s3rver bug: writes an upload straight into the object's file and keeps what arrived when the client aborts.
    protected override bool FailedUploadsLeaveNothing => false;
}

/// <summary>The same tests with Ceph's RADOS Gateway as the local store: a production S3 server, atomic writes.</summary>
[FunctionalTests]
public sealed class OverlayOverRgwLocalStoreTests(OverlayServers servers) : OverlayReadThroughTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;

    // Every byte cached is held in the test cluster's RAM (memstore): figures between s3rver's and the embedded store's.
    protected override long HotObjectSize => 8 * MiB;
    protected override long LargeObjectSize => 32 * MiB;
}

/// <summary>The same tests reading through to Ceph's RADOS Gateway as the remote (the embedded store local).</summary>
[FunctionalTests]
public sealed class OverlayOverRgwRemoteTests(OverlayServers servers) : OverlayReadThroughTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
    protected override RemoteKind RemoteServer => RemoteKind.Rgw;
    protected override long HotObjectSize => 8 * MiB;
    protected override long LargeObjectSize => 32 * MiB;
}
