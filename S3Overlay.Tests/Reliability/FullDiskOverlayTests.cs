using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The overlay over an embedded store whose disk fills up: a fill that cannot
/// be stored streams the remote's bytes to the client instead (the whole right object, nothing
/// cached, no error), and with a cache cap eviction makes room for what did not fit.
/// </summary>
[ReliabilityTests]
public sealed class FullDiskOverlayTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task A_fill_that_cannot_be_stored_streams_the_remote_object_and_caches_nothing()
    {
        using var disk = SmallDisk.Mount(4 * MiB);
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, dataDir: disk.Folder("data"));
        await env.SeedRemoteAsync("cold.bin", 1_000_000, 11);
        disk.FillUp();

        await env.GetAndCheckAsync("cold.bin", 11, 1_000_000);
        await env.GetAndCheckAsync("cold.bin", 11, 1_000_000, first: 123_457, last: 876_543);
        await env.FillsIdleAsync();

        Assert.False(await env.IsStoredLocallyAsync("cold.bin"));
        Assert.Equal(0, env.Part<CacheIndex>().TotalBytes);
        Assert.Empty(Directory.GetFiles(Path.Join(env.DataDir, ".s3overlay", "tmp")));

        // Room again: the next read is cached, with no restart.
        disk.Free();
        await env.GetAndCheckAsync("cold.bin", 11, 1_000_000);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("cold.bin"));
    }

    [Fact]
    public async Task A_fill_whose_file_cannot_even_be_made_streams_the_remote_object()
    {
        using var disk = SmallDisk.Mount(4 * MiB, inodes: 200);
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, dataDir: disk.Folder("data"));
        await env.SeedRemoteAsync("cold.bin", 300_000, 12);
        disk.UseUpInodes();

        await env.GetAndCheckAsync("cold.bin", 12, 300_000);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("cold.bin"));
    }

    [Fact]
    public async Task With_a_cap_a_fill_or_a_write_that_found_no_room_evicts_the_least_recently_read()
    {
        using var disk = SmallDisk.Mount(4 * MiB);
        // Capped at 3 MiB: under the cap, nothing of this test would be evicted for it.
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { ["S3_OVERLAY_CACHE_MAX_BYTES"] = (3 * MiB).ToString() }, disk.Folder("data"));
        await FillAsync(env, "old.bin", 600_000, 21);
        await FillAsync(env, "recent.bin", 600_000, 22);
        await env.SeedRemoteAsync("new.bin", 400_000, 23);
        disk.FillUp();

        // A fill: served all the same, and the least recently read makes room for the next attempt.
        await env.GetAndCheckAsync("new.bin", 23, 400_000);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("old.bin"));
        Assert.True(await env.IsStoredLocallyAsync("recent.bin"));
        Assert.False(await env.IsStoredLocallyAsync("new.bin"));
        await FillAsync(env, "new.bin", 400_000, 23);

        // A client's write: 507, and what came from the remote makes room for it to be tried again.
        var put = new PutObjectRequest { BucketName = env.Bucket, Key = "mine.bin", InputStream = PatternData.Open(300_000, 32), UseChunkEncoding = false };
        var full = await Assert.ThrowsAsync<AmazonS3Exception>(() => env.Client.PutObjectAsync(put));
        Assert.Equal((HttpStatusCode)507, full.StatusCode);
        await env.FillsIdleAsync();
        Assert.False(await env.IsStoredLocallyAsync("recent.bin"));
        Assert.True(await env.IsStoredLocallyAsync("new.bin"));
        put.InputStream = PatternData.Open(300_000, 32);
        await env.Client.PutObjectAsync(put);
        await env.GetAndCheckAsync("mine.bin", 32, 300_000);
    }

    /// <summary>Seeds the remote object and reads it through the proxy once, which caches it.</summary>
    private static async Task FillAsync(OverlayEnvironment env, string key, long length, int seed)
    {
        await env.SeedRemoteAsync(key, length, seed);
        await env.GetAndCheckAsync(key, seed, length);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync(key));
    }
}
