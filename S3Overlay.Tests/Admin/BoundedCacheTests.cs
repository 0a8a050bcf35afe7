using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Admin;

/// <summary>
/// The bounded cache over real HTTP: the proxy with s3rver as the remote behind a counting relay.
/// A 100 MiB cap and 300 MiB read, scaled down tenfold to keep this under
/// a few seconds on two shared cores: a 10 MiB cap and 1 MiB objects, the same proportions.
/// </summary>
public abstract class BoundedCacheTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    private const long Cap = 10 * MiB;
    private const long ObjectSize = 1 * MiB;

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, Kind, settings.ToDictionary(s => s.Name, s => (string?)s.Value));

    private Task<OverlayEnvironment> StartCappedAsync() => StartAsync(
        ("S3_OVERLAY_CACHE_MAX_BYTES", Cap.ToString()),
        ("S3_OVERLAY_CACHE_HIGH_WATERMARK", "90"),
        ("S3_OVERLAY_CACHE_LOW_WATERMARK", "70"));

    private static string Key(int i) => $"obj/{i:D3}";

    /// <summary>Reads a remote object through the proxy and waits until its fill is stored and any eviction it started is over (so the next read's order is the LRU order).</summary>
    private static async Task ReadAndWaitAsync(OverlayEnvironment env, int i)
    {
        await env.GetAndCheckAsync(Key(i), i, ObjectSize);
        await env.FillsIdleAsync();
        Assert.Contains(Key(i), await FilledKeysAsync(env));
    }

    /// <summary>The remote objects the local store holds now (what a user would find on disk).</summary>
    private static async Task<HashSet<string>> FilledKeysAsync(OverlayEnvironment env)
    {
        var page = await env.LocalStore.ListObjectsAsync(env.Bucket, new S3Overlay.Storage.ListRequest("obj/"), default);
        return page.Objects.Select(o => o.Key).ToHashSet();
    }

    private static async Task<long> StoredBytesAsync(OverlayEnvironment env) => (await FilledKeysAsync(env)).Count * ObjectSize;

    [Fact]
    public async Task Reading_three_times_the_cap_keeps_the_cache_under_it_and_evicts_the_least_recently_used_across_a_restart()
    {
        await using var env = await StartCappedAsync();
        using var admin = new AdminHttp(env.Proxy.Url);
        await env.Client.PutBucketAsync(env.Bucket);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "mine/written.bin", InputStream = PatternData.Open(3 * MiB, 7), UseChunkEncoding = false });
        for (var i = 0; i < 35; i++) await env.SeedRemoteAsync(Key(i), ObjectSize, i);

        var largest = 0L;
        for (var i = 0; i < 30; i++)
        {
            await ReadAndWaitAsync(env, i);
            if (i % 3 == 2) await env.GetAndCheckAsync(Key(0), 0, ObjectSize); // obj/000 stays hot
            largest = Math.Max(largest, await StoredBytesAsync(env));
        }
        Assert.InRange(await StoredBytesAsync(env), 0, Cap * 90 / 100); // eviction has settled under the high watermark

        Assert.InRange(largest, 0, Cap);
        var kept = await FilledKeysAsync(env);
        Assert.Contains(Key(0), kept);           // read again and again: survived
        Assert.DoesNotContain(Key(1), kept);     // read once, long ago: evicted
        Assert.Contains(Key(29), kept);          // the latest read
        Assert.True(await env.IsStoredLocallyAsync("mine/written.bin"), "a client's object is never evicted");
        await env.GetAndCheckAsync("mine/written.bin", 7, 3 * MiB);
        var report = await admin.ReportAsync(env.Bucket, "obj/");
        Assert.Equal(kept.Count, report.GetProperty("objects").GetInt32());
        Assert.Equal(kept.Count * ObjectSize, report.GetProperty("bytes").GetInt64());
        Assert.Equal(report.GetProperty("bytes").GetInt64(), (await admin.ReportAsync(env.Bucket)).GetProperty("bytes").GetInt64()); // mine/ is not the cache's

        env.Relay.ResetCounts();
        await env.GetAndCheckAsync(Key(0), 0, ObjectSize);
        Assert.Equal(0, env.Relay.TotalRequests);
        await env.GetAndCheckAsync(Key(1), 1, ObjectSize);
        Assert.Equal(1, env.Relay.Requests("GET"));
        await env.FillsIdleAsync();
        Assert.Contains(Key(1), await FilledKeysAsync(env)); // filled again

        // A restart reads the bookkeeping back: the same report, and the cap still holds for new reads.
        await env.FillsIdleAsync();
        var before = (await admin.ReportAsync(env.Bucket, "obj/")).GetProperty("bytes").GetInt64();
        Assert.Equal(await StoredBytesAsync(env), before);
        await env.RestartAsync();
        using var restarted = new AdminHttp(env.Proxy.Url);
        Assert.Equal(before, (await restarted.ReportAsync(env.Bucket, "obj/")).GetProperty("bytes").GetInt64());
        for (var i = 30; i < 35; i++)
        {
            await ReadAndWaitAsync(env, i);
            Assert.InRange(await StoredBytesAsync(env), 0, Cap);
        }
        Assert.InRange(await StoredBytesAsync(env), 0, Cap * 90 / 100); // eviction after the restart has settled
        Assert.Contains(Key(34), await FilledKeysAsync(env));
        Assert.True(await env.IsStoredLocallyAsync("mine/written.bin"));
    }

    [Fact]
    public async Task A_client_put_over_a_filled_object_makes_it_the_clients()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CACHE_MAX_BYTES", (2 * MiB).ToString()), ("S3_OVERLAY_CACHE_HIGH_WATERMARK", "60"), ("S3_OVERLAY_CACHE_LOW_WATERMARK", "10"));
        await env.SeedRemoteAsync("a.bin", ObjectSize, 1);
        await env.GetAndCheckAsync("a.bin", 1, ObjectSize);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("a.bin"), "a.bin is filled");
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "a.bin", InputStream = PatternData.Open(ObjectSize, 9), UseChunkEncoding = false });

        // Two more fills go over the high watermark: only they can be evicted.
        await env.SeedRemoteAsync("b.bin", ObjectSize, 2);
        await env.SeedRemoteAsync("c.bin", ObjectSize, 3);
        await env.GetAndCheckAsync("b.bin", 2, ObjectSize);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("b.bin"), "b.bin is filled");
        await env.GetAndCheckAsync("c.bin", 3, ObjectSize);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("b.bin"), "b.bin is evicted");

        await env.GetAndCheckAsync("a.bin", 9, ObjectSize);
    }

    [Fact]
    public async Task A_read_in_progress_finishes_with_the_right_bytes_when_its_object_is_evicted()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CHUNK_SIZE", MiB.ToString()), ("S3_OVERLAY_CHUNK_THRESHOLD", (2 * MiB).ToString()));
        using var admin = new AdminHttp(env.Proxy.Url);
        await env.SeedRemoteAsync("whole.bin", 2 * MiB, 4);
        await env.SeedRemoteAsync("chunked.bin", 6 * MiB, 5);
        await env.GetAndCheckAsync("whole.bin", 4, 2 * MiB);
        await env.GetAndCheckAsync("chunked.bin", 5, 6 * MiB);
        await EventuallyAsync(async () => (await admin.ReportAsync(env.Bucket)).GetProperty("bytes").GetInt64() == 8 * MiB, "both are cached");

        foreach (var (key, seed, size) in new[] { ("whole.bin", 4, 2 * MiB), ("chunked.bin", 5, 6 * MiB) })
        {
            using var response = await env.Client.GetObjectAsync(env.Bucket, key);
            var first = new byte[64 * 1024];
            await response.ResponseStream.ReadExactlyAsync(first);
            var expected = new byte[first.Length];
            PatternData.Fill(expected, 0, seed);
            Assert.Equal(expected, first);

            var evicted = await admin.EvictKeyAsync(env.Bucket, key);
            Assert.Equal(size, evicted.GetProperty("bytes").GetInt64());
            Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, first.Length, size - first.Length, seed));
        }
        // The chunked read fetched the chunks it still needed from the remote (and cached them again).
        Assert.False(await env.IsStoredLocallyAsync("whole.bin"));
        Assert.Equal(0, (await admin.ReportAsync(env.Bucket, "whole")).GetProperty("bytes").GetInt64());
    }
}

[FunctionalTests]
public sealed class BoundedCacheOnEmbeddedStoreTests(OverlayServers servers) : BoundedCacheTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}
