using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// S3 is strongly read-after-write consistent: once any reader was served the new version of an
/// object, no later read returns the old one. Here the remote is overwritten under a cached
/// object; a read notices, and its answer streams while the new version's fill is held at the
/// relay (a gate, so the order is certain): a read that starts then must already get the new
/// version, from whichever cached state it finds.
/// </summary>
[FunctionalTests]
public sealed class GenerationOrderTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Key = "gen.bin";
    private const int Old = 41, New = 42;

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{1 * MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{2 * MiB}",
        };
        foreach (var (name, value) in extra) settings[name] = value;
        return OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings);
    }

    /// <summary>From now on every remote body stops after <paramref name="after"/> bytes until the gate returned opens.</summary>
    private static TaskCompletionSource HoldRemoteBodies(OverlayEnvironment env, long after)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = after;
        env.Relay.PauseMidBody = gate;
        return gate;
    }

    /// <summary>Reads 100 bytes at <paramref name="offset"/>; which version answered (null: neither).</summary>
    private static Task<int?> ServedAtAsync(OverlayEnvironment env, long offset) => env.VersionServedAsync(Key, offset, offset + 99, New, Old);

    [Fact]
    public async Task Once_a_read_got_the_new_chunked_version_no_read_gets_the_old_ones_cached_chunks()
    {
        // The sequence that would mix generations: chunk 0 of the old version cached; the remote overwritten; a read of
        // a chunk not cached finds out and is answered while the new chunk's fill is still running.
        await using var env = await StartAsync();
        const long size = 4 * MiB;
        await env.SeedRemoteAsync(Key, size, Old);
        Assert.Equal(Old, await ServedAtAsync(env, 0));
        await env.FillsIdleAsync();
        await env.SeedRemoteAsync(Key, size, New);

        var gate = HoldRemoteBodies(env, 64 * 1024);
        try
        {
            Assert.Equal(New, await ServedAtAsync(env, 2 * MiB));
            Assert.Equal(New, await ServedAtAsync(env, 0)); // not the old version, from its cached chunk 0
            Assert.Equal((await env.Remote.GetObjectMetadataAsync(env.Bucket, Key)).ETag,
                (await env.Client.GetObjectMetadataAsync(env.Bucket, Key)).ETag);
        }
        finally
        {
            gate.TrySetResult();
        }
        await env.FillsIdleAsync();
        Assert.Equal(New, await ServedAtAsync(env, 0));
    }

    [Fact]
    public async Task Once_a_read_got_the_new_whole_version_no_read_gets_the_old_ones_cached_chunks()
    {
        // The new version is small (filled whole): its answer streams from the whole fill, and
        // until that has stored it the old version's manifest and chunk 0 were all a read found.
        await using var env = await StartAsync();
        await env.SeedRemoteAsync(Key, 4 * MiB, Old);
        Assert.Equal(Old, await ServedAtAsync(env, 0));
        await env.FillsIdleAsync();
        await env.SeedRemoteAsync(Key, MiB + MiB / 2, New);

        var gate = HoldRemoteBodies(env, MiB + 256 * 1024);
        try
        {
            Assert.Equal(New, await ServedAtAsync(env, MiB)); // chunk 1 of the old version is not cached: the read finds out
            Assert.Equal(New, await ServedAtAsync(env, 0));
        }
        finally
        {
            gate.TrySetResult();
        }
        await env.FillsIdleAsync();
        Assert.Equal(New, await ServedAtAsync(env, 0));
    }

    [Fact]
    public async Task A_stale_whole_copy_replaced_by_a_chunked_version_is_not_served_again()
    {
        // Revalidated on every read: the small old version, filled whole, is found replaced by a
        // large one, which is read in chunks. Were its manifest to take the place of the old copy's fill
        // record once its first chunk is stored, the old copy (then not recorded as a fill) would
        // be served as if a client had written it, forever.
        await using var env = await StartAsync(("S3_OVERLAY_REVALIDATE_AFTER", "0"));
        await env.SeedRemoteAsync(Key, MiB, Old);
        Assert.Equal(Old, await ServedAtAsync(env, 0));
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync(Key));
        await env.SeedRemoteAsync(Key, 4 * MiB, New);

        Assert.Equal(New, await ServedAtAsync(env, 0));
        await env.FillsIdleAsync();
        Assert.Equal(New, await ServedAtAsync(env, 0));
        Assert.Equal(New, await ServedAtAsync(env, 3 * MiB));
        Assert.False(await env.IsStoredLocallyAsync(Key));
    }
}
