using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Fills;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A cold unranged GET of a chunked object: the whole GET that found the object too large to fill
/// whole hands its open answer over, and chunk 0 is filled from it instead of a second remote
/// request; an answer nobody takes is closed as soon as its last reader goes.
/// </summary>
[FunctionalTests]
public sealed class ChunkZeroFromWholeGetTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int Gate = 64 * 1024;

    /// <summary>A proxy with 1 MiB chunks, over 1 MiB chunked, and a pattern object of <paramref name="size"/> on the remote.</summary>
    private async Task<OverlayEnvironment> StartAsync(string key, long size, int seed)
    {
        var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{1 * MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{1 * MiB}",
        });
        await env.SeedRemoteAsync(key, size, seed);
        return env;
    }

    /// <summary>From now on every remote body stops after its first 64 KiB until the gate returned opens.</summary>
    private static TaskCompletionSource HoldRemoteBodies(OverlayEnvironment env)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = Gate;
        env.Relay.PauseMidBody = gate;
        return gate;
    }

    [Fact]
    public async Task A_cold_unranged_GET_of_a_chunked_object_asks_the_remote_once_per_chunk()
    {
        const long size = 2 * MiB + 300_000; // chunks 0, 1 and 2 (a short last one)
        await using var env = await StartAsync("cold.bin", size, 31);

        await env.GetAndCheckAsync("cold.bin", 31, size);
        await env.FillsIdleAsync();
        // One GET in all: chunk 0 is the whole GET's own answer (not that GET declined, then chunk
        // 0's ranged GET: 4 in all), and chunks 1 and 2 its next bytes, as the reader went on (not
        // their own ranged GETs after the whole answer hung up after chunk 0: 3 in all).
        Assert.Equal(1, env.Relay.Requests("GET"));
        Assert.Equal(0, env.Relay.Requests("HEAD"));
        Assert.Equal(size, env.Relay.BytesRelayed);

        // Chunk 0 taken from the whole answer was stored like any chunk: all of it is local now.
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("cold.bin", 31, size);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task The_client_has_chunk_0s_first_bytes_while_the_remote_still_holds_the_rest()
    {
        const long size = 3 * MiB;
        await using var env = await StartAsync("first.bin", size, 32);

        var remoteBody = HoldRemoteBodies(env);
        using var response = await env.Client.GetObjectAsync(env.Bucket, "first.bin").WaitAsync(TimeSpan.FromSeconds(30));
        // The gate is still shut: these bytes can only have come as chunk 0's first ones arrived.
        var first = new byte[Gate];
        await response.ResponseStream.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var expected = new byte[Gate];
        PatternData.Fill(expected, 0, 32);
        Assert.Equal(expected, first);

        remoteBody.SetResult();
        Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, Gate, size - Gate, 32));
        env.Relay.PauseMidBody = null;
        await env.FillsIdleAsync();
        Assert.Equal(1, env.Relay.Requests("GET")); // the whole GET gives every chunk, as above
    }

    [Fact]
    public async Task A_whole_read_after_a_range_read_goes_by_the_recorded_generation_without_a_whole_GET()
    {
        const long size = 3 * MiB;
        await using var env = await StartAsync("busy.bin", size, 33);
        var remoteBody = HoldRemoteBodies(env);

        // A small range starts chunk 0's fill (its HEAD, then chunk 0's GET) and has its bytes
        // from the fill's first 64 KiB; the fill itself stays held by the remote. The generation
        // is recorded before that first byte.
        await env.GetAndCheckAsync("busy.bin", 33, size, 0, 99).WaitAsync(TimeSpan.FromSeconds(30));

        // A whole read then reads by that record: no whole GET whose answer would be declined; it
        // joins chunk 0's fill and proves the generation with chunk 1's own.
        var whole = env.GetAndCheckAsync("busy.bin", 33, size);
        await EventuallyAsync(() => env.Relay.Requests("GET") == 2 && env.Relay.OpenRequests == 2,
            "chunk 0's and chunk 1's remote GETs, and no other");

        remoteBody.SetResult();
        await whole.WaitAsync(TimeSpan.FromSeconds(30));
        env.Relay.PauseMidBody = null;
        await env.FillsIdleAsync();
        Assert.Equal(1, env.Relay.Requests("HEAD"));
        Assert.Equal(3, env.Relay.Requests("GET")); // and chunk 2's, read ahead
        await EventuallyAsync(() => env.Relay.OpenRequests == 0, "no remote request stays open");
    }

    [Fact]
    public async Task A_declined_answer_nobody_takes_is_disposed_when_its_last_reader_leaves()
    {
        var (fill, body) = await DeclinedFillAsync();
        // The fill is over (its slot free, its own share gone); a reader still holds a share.
        Assert.False(body.Disposed);
        Assert.False(fill.DeclinedSettled.IsCompleted);
        fill.Leave();
        Assert.True(body.Disposed);
        Assert.True(fill.DeclinedSettled.IsCompleted); // nobody will start chunk 0 with it: nobody waits
        Assert.Null(fill.TakeDeclined());
    }

    [Fact]
    public async Task A_declined_answer_taken_belongs_to_whoever_took_it()
    {
        var (fill, body) = await DeclinedFillAsync();
        var taken = fill.TakeDeclined();
        Assert.NotNull(taken);
        Assert.Null(fill.TakeDeclined());
        fill.Leave();
        Assert.False(body.Disposed);
        // The other readers wait until its owner is done with it, not until the fill's last share goes.
        Assert.False(fill.DeclinedSettled.IsCompleted);
        await taken.DisposeAsync();
        Assert.True(body.Disposed);
        Assert.True(fill.DeclinedSettled.IsCompleted);
    }

    [Fact]
    public async Task A_declined_answers_content_taken_from_its_owner_is_the_takers_to_dispose()
    {
        var (fill, body) = await DeclinedFillAsync();
        var answer = fill.TakeDeclined()!;
        var content = answer.Take();
        Assert.Throws<InvalidOperationException>(() => answer.Take());
        fill.Leave();
        // Its owner done (chunk 0 started with the content): the others go on, the content stays open for its taker.
        await answer.DisposeAsync();
        Assert.True(fill.DeclinedSettled.IsCompleted);
        Assert.False(body.Disposed);
        await content.DisposeAsync();
        Assert.True(body.Disposed);
    }

    /// <summary>A fill whose remote answer was declined and is over, with one reader still holding a share.</summary>
    private static async Task<(RemoteFill Fill, DisposalTrackedStream Body)> DeclinedFillAsync()
    {
        var spill = Path.Combine(Path.GetTempPath(), $"chunk0-{Guid.NewGuid():N}.tmp");
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var fill = new RemoteFill(spill, new OverlayMetrics(meters));
        Assert.True(fill.TryJoin());
        var body = new DisposalTrackedStream(10);
        var info = new ObjectInfo("k", 10, "\"e\"", DateTimeOffset.UnixEpoch, ObjectMetadata.Empty);
        Assert.True(fill.Start(new BackgroundWork(NullLogger<BackgroundWork>.Instance),
            openRemote: _ => Task.FromResult(new ObjectContent(info, body, null)),
            accept: _ => false, store: null, mapError: e => e, NullLogger.Instance, span: null));
        Assert.Equal(info, await fill.Opened.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(fill.Declined);
        await fill.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        return (fill, body);
    }
}
