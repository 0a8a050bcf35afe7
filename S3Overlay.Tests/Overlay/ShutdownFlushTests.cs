using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Shutdown waits for the fills in flight until the host's stop timeout, then cancels them; the
/// eviction index is written after that all the same (it was given the spent stop token once,
/// and what the run had filled was lost with the process).
/// </summary>
[FunctionalTests]
public sealed class ShutdownFlushTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task A_stop_that_cancels_a_held_fill_still_writes_the_eviction_index()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"] = "3600", // only the stop writes it
        });
        await env.SeedRemoteAsync("filled.bin", 64 * 1024, 3);
        await env.SeedRemoteAsync("held.bin", OverlayEnvironment.MiB, 4);
        await env.GetAndCheckAsync("filled.bin", 3, 64 * 1024);
        await env.FillsIdleAsync();

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = 256 * 1024;
        env.Relay.PauseMidBody = release;
        try
        {
            using var held = await env.Client.GetObjectAsync(env.Bucket, "held.bin");
            Assert.NotEqual(0, env.Part<BackgroundWork>().Running); // the fill, paused mid-body

            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await env.Proxy.StopAsync(stopTimeout.Token);
        }
        finally
        {
            release.TrySetResult();
        }

        var cacheBucket = env.Part<OverlaySettings>().CacheBucket;
        var indexed = await CacheBookkeeping.ReadIndexAsync(env.LocalStore, cacheBucket);
        Assert.Contains(indexed, e => e.Key == "filled.bin");
    }
}
