using System.Net;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Tests.S3;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Remote listing pages remembered for <c>S3_OVERLAY_LISTING_CACHE_TTL</c>
/// (GDAL lists a folder on every open); pages and "no such key" answers served while the remote
/// fails, for <c>S3_OVERLAY_STALE_IF_ERROR</c>, marked <c>x-s3overlay-stale</c>. Remote LISTs counted
/// at the relay.
/// </summary>
[FunctionalTests]
public sealed class RemoteListingCacheTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings.ToDictionary(s => s.Name, s => (string?)s.Value));

    [Fact]
    public async Task Within_the_TTL_a_listing_page_is_answered_without_asking_the_remote()
    {
        await using var env = await StartAsync(("S3_OVERLAY_LISTING_CACHE_TTL", "60"));
        await env.SeedRemoteAsync("folder/a.tif", 10, 1);
        Assert.Equal(["folder/a.tif"], await KeysAsync(env));
        var lists = RemoteLists(env);

        await env.SeedRemoteAsync("folder/b.tif", 10, 2);
        for (var i = 0; i < 5; i++) Assert.Equal(["folder/a.tif"], await KeysAsync(env));
        Assert.Equal(lists, RemoteLists(env));

        // Another page (another prefix) is its own question.
        Assert.Equal(["folder/a.tif", "folder/b.tif"], await KeysAsync(env, "folder/"));
        Assert.Equal(lists + 1, RemoteLists(env));
    }

    [Fact]
    public async Task While_the_remote_fails_what_it_answered_within_the_window_is_served_marked_stale()
    {
        // No negative-cache TTL: every probe asks the remote, so the stale answer is the window's doing.
        await using var env = await StartAsync(("S3_OVERLAY_STALE_IF_ERROR", "60"), ("S3_OVERLAY_NEGATIVE_CACHE_TTL", "0"));
        await env.SeedRemoteAsync("wal/0001", 10, 1);
        await env.Client.PutBucketAsync(env.Bucket);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "wal/0002", ContentBody = "local", UseChunkEncoding = false });
        Assert.Equal(["wal/0001", "wal/0002"], await KeysAsync(env));
        using (var fresh = await ListAsync(env, ""))
            Assert.False(fresh.Headers.Contains("x-s3overlay-stale"));
        using (var probe = await RawS3.SendAsync(env.Proxy, HttpMethod.Head, $"/{env.Bucket}/wal/0001.aux.xml"))
            Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);

        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        using (var stale = await ListAsync(env, ""))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("listing", Assert.Single(stale.Headers.GetValues("x-s3overlay-stale")));
        }
        Assert.Equal(["wal/0001", "wal/0002"], await KeysAsync(env)); // and the local side is current

        // The key the remote lately said it lacks is still "no such key"; one it never answered for is the error.
        using (var probe = await RawS3.SendAsync(env.Proxy, HttpMethod.Head, $"/{env.Bucket}/wal/0001.aux.xml"))
        {
            Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
            Assert.Equal("not-found", Assert.Single(probe.Headers.GetValues("x-s3overlay-stale")));
        }
        using (var never = await RawS3.SendAsync(env.Proxy, HttpMethod.Head, $"/{env.Bucket}/wal/0001.ovr"))
            Assert.True((int)never.StatusCode >= 500, $"{never.StatusCode}");

        // A page the remote never answered is a gateway error, as without the setting.
        using var unseen = await ListAsync(env, "other/");
        Assert.True((int)unseen.StatusCode >= 500, $"{unseen.StatusCode}");
    }

    [Fact]
    public async Task Without_the_settings_every_listing_asks_the_remote_and_a_failure_is_an_error()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("x", 10, 1);
        Assert.Equal(["x"], await KeysAsync(env));
        await env.SeedRemoteAsync("y", 10, 2);
        Assert.Equal(["x", "y"], await KeysAsync(env));

        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        using var failed = await ListAsync(env, "");
        Assert.True((int)failed.StatusCode >= 500, $"{failed.StatusCode}");
    }

    [Fact]
    public async Task Degraded_listings_show_what_the_local_store_holds_while_the_remote_is_down()
    {
        await using var env = await StartAsync(("S3_OVERLAY_DEGRADED_LISTINGS", "true"),
            ("S3_OVERLAY_CHUNK_SIZE", $"{OverlayEnvironment.MiB}"), ("S3_OVERLAY_CHUNK_THRESHOLD", $"{OverlayEnvironment.MiB}"));
        await env.SeedRemoteAsync("base/big.bin", 3 * OverlayEnvironment.MiB, 1);
        await env.SeedRemoteAsync("base/small.bin", 10, 2);
        await env.SeedRemoteAsync("base/gone.bin", 3 * OverlayEnvironment.MiB, 3);
        await env.SeedRemoteAsync("base/never-read.bin", 10, 4);
        await env.SeedRemoteAsync("wal/big.bin", 3 * OverlayEnvironment.MiB, 5);
        await env.GetAndCheckAsync("base/big.bin", 1, 3 * OverlayEnvironment.MiB, 0, 99); // chunk-cached: a manifest
        await env.GetAndCheckAsync("base/small.bin", 2, 10);                             // a whole copy in the local bucket
        await env.GetAndCheckAsync("base/gone.bin", 3, 3 * OverlayEnvironment.MiB, 0, 99);
        await env.GetAndCheckAsync("wal/big.bin", 5, 3 * OverlayEnvironment.MiB, 0, 99);
        await env.FillsIdleAsync();
        await env.Client.DeleteObjectAsync(env.Bucket, "base/gone.bin");                    // whited out
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "base/mine.txt", ContentBody = "mine", UseChunkEncoding = false });

        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        using (var listed = await ListAsync(env, "base/"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Equal("local-only", Assert.Single(listed.Headers.GetValues("x-s3overlay-stale")));
        }
        Assert.Equal(["base/big.bin", "base/mine.txt", "base/small.bin"], await KeysAsync(env, "base/"));
        var top = await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Delimiter = "/" });
        Assert.Equal(["base/", "wal/"], top.CommonPrefixes);
        var paged = await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Prefix = "base/", MaxKeys = 1, StartAfter = "base/big.bin" });
        Assert.Equal(["base/mine.txt"], paged.S3Objects.Select(o => o.Key));
        Assert.Equal(3 * OverlayEnvironment.MiB, (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Prefix = "base/big" })).S3Objects.Single().Size);
    }

    /// <summary>
    /// A remote whose port is closed refuses at once, and that is final: each answer the overlay can
    /// give without it (a stale page, a degraded listing, a remembered "no such key", a local copy)
    /// comes after one attempt, and so does the 503 of a request that needs it. The SDK retried the
    /// refusal after its random 0–1 s backoff (each of GDAL's and pgBackRest's listings waited so,
    /// 10 listings in a row took 4.5 s); counted as the attempts this process sent to the port.
    /// </summary>
    [Fact]
    public async Task While_the_remote_refuses_connections_each_answer_tries_it_once()
    {
        await using var env = await StartAsync(("S3_OVERLAY_STALE_IF_ERROR", "60"), ("S3_OVERLAY_DEGRADED_LISTINGS", "true"),
            ("S3_OVERLAY_NEGATIVE_CACHE_TTL", "0"));
        await env.SeedRemoteAsync("wal/0001", 10, 1);
        await env.SeedRemoteAsync("wal/0002", 10, 2);
        await env.GetAndCheckAsync("wal/0001", 1, 10);
        (await ListAsync(env, "wal/")).Dispose();
        (await RawS3.SendAsync(env.Proxy, HttpMethod.Head, $"/{env.Bucket}/wal/0001.aux.xml")).Dispose();
        await env.FillsIdleAsync();
        await env.Relay.StopAsync();
        using var attempts = new HttpAttempts(env.Relay.Url);

        async Task<HttpResponseMessage> TriesOnceAsync(HttpMethod method, string target, int expected = 1)
        {
            var before = attempts.Sent.Count;
            var response = await RawS3.SendAsync(env.Proxy, method, target);
            Assert.Equal(Enumerable.Repeat("connection_error", expected), attempts.Sent.Skip(before));
            return response;
        }
        using (var stale = await TriesOnceAsync(HttpMethod.Get, $"/{env.Bucket}?list-type=2&prefix=wal%2F"))
            Assert.Equal("listing", Assert.Single(stale.Headers.GetValues("x-s3overlay-stale")));
        using (var degraded = await TriesOnceAsync(HttpMethod.Get, $"/{env.Bucket}?list-type=2&prefix=base%2F"))
            Assert.Equal("local-only", Assert.Single(degraded.Headers.GetValues("x-s3overlay-stale")));
        using (var notFound = await TriesOnceAsync(HttpMethod.Head, $"/{env.Bucket}/wal/0001.aux.xml"))
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        using (var needsRemote = await TriesOnceAsync(HttpMethod.Get, $"/{env.Bucket}/wal/0002"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, needsRemote.StatusCode);
        using (var local = await TriesOnceAsync(HttpMethod.Get, $"/{env.Bucket}/wal/0001", expected: 0))
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    private static int RemoteLists(OverlayEnvironment env) => env.Relay.Targets.Count(t => t.Contains("list-type=2", StringComparison.Ordinal));

    private static Task<HttpResponseMessage> ListAsync(OverlayEnvironment env, string prefix) =>
        RawS3.SendAsync(env.Proxy, HttpMethod.Get, $"/{env.Bucket}?list-type=2&prefix={Uri.EscapeDataString(prefix)}");

    private static async Task<List<string>> KeysAsync(OverlayEnvironment env, string prefix = "") =>
        (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Prefix = prefix })).S3Objects?.Select(o => o.Key).ToList() ?? [];
}

/// <summary>The cache's own rules, on a manual clock: the TTL, the stale window, and its bound.</summary>
[UnitTests]
public sealed class RemoteListingCacheRulesTests
{
    private static readonly ListRequest First = new("a/");

    private static ListPage Page(int objects) =>
        new([.. Enumerable.Range(0, objects).Select(i => new ObjectInfo($"a/{i}", 1, "\"e\"", DateTimeOffset.UnixEpoch, ObjectMetadata.Empty))], [], false, null);

    [Fact]
    public void A_page_is_fresh_within_the_TTL_and_stale_within_the_window_then_gone()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var cache = new RemoteListingCache(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), clock);
        var page = Page(3);
        cache.Remember("rb", First, page);
        Assert.Same(page, cache.Fresh("rb", First));
        Assert.Null(cache.Fresh("other", First));
        Assert.Null(cache.Fresh("rb", First with { StartAfter = "a/0" }));

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(cache.Fresh("rb", First));
        Assert.Same(page, cache.Stale("rb", First));
        clock.Advance(TimeSpan.FromSeconds(55));
        Assert.Null(cache.Stale("rb", First));
    }

    [Fact]
    public void Nothing_is_kept_when_both_are_off_and_the_bound_holds()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var off = new RemoteListingCache(TimeSpan.Zero, TimeSpan.Zero, clock);
        off.Remember("rb", First, Page(1));
        Assert.Null(off.Fresh("rb", First));
        Assert.Null(off.Stale("rb", First));

        var small = new RemoteListingCache(TimeSpan.FromSeconds(5), TimeSpan.Zero, clock, maxEntries: 10);
        small.Remember("rb", First, Page(4));                        // 5 entries
        small.Remember("rb", First with { Prefix = "b/" }, Page(4)); // 10
        small.Remember("rb", First with { Prefix = "c/" }, Page(4)); // over: the live ones are dropped to make room
        Assert.NotNull(small.Fresh("rb", First with { Prefix = "c/" }));
        Assert.Null(small.Fresh("rb", First));
        small.Remember("rb", First with { Prefix = "d/" }, Page(20)); // larger than the whole bound: not kept
        Assert.Null(small.Fresh("rb", First with { Prefix = "d/" }));
    }
}
