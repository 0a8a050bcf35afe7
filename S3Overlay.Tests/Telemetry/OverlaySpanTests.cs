using System.Text.Json;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// Every overlay decision is a span under the request's span, as a tracing backend shows it: the
/// proxy over its embedded store, s3rver as the remote behind the counting relay. A remote call is
/// the proxy's HTTP client span (<c>GET</c>) under the decision that made it.
/// </summary>
[FunctionalTests]
public sealed class OverlaySpanTests(OverlayServers servers) : IClassFixture<OverlayServers>, IDisposable
{
    private readonly SpanRecorder _spans = new();

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings.ToDictionary(s => s.Name, s => (string?)s.Value));

    /// <summary>The next GetObject trace on the environment's bucket, once it has become <paramref name="expected"/>.</summary>
    private Task<SpanRecorder.Trace> GetTraceAsync(OverlayEnvironment env, string expected) =>
        _spans.NextTraceAsync("GetObject", env.Bucket, t => t.Render() == expected);

    [Fact]
    public async Task A_local_hit_is_one_span_under_the_request()
    {
        await using var env = await StartAsync();
        await env.Client.PutBucketAsync(env.Bucket);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "local.bin", InputStream = PatternData.Open(1000, 1), UseChunkEncoding = false });

        await env.GetAndCheckAsync("local.bin", 1, 1000);

        var trace = await GetTraceAsync(env, """
            S3 GetObject
              overlay.local_hit

            """);
        var hit = trace.Named("overlay.local_hit").Single();
        Assert.Equal(env.Bucket, hit.GetTagItem("s3.bucket"));
        Assert.Equal("local.bin", hit.GetTagItem("s3.key"));
        Assert.Equal(1000L, hit.GetTagItem("overlay.bytes"));
        Assert.Equal(env.Bucket, trace.Root.GetTagItem("s3.bucket"));
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task A_remote_fill_with_caching_on_makes_one_remote_call_then_the_next_read_is_a_local_hit()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("remote.bin", 5000, 2);

        await env.GetAndCheckAsync("remote.bin", 2, 5000);
        var fill = await GetTraceAsync(env, """
            S3 GetObject
              overlay.remote_fill overlay.cached=true overlay.coalesced=false
                GET

            """);
        var span = fill.Named("overlay.remote_fill").Single();
        Assert.Equal("remote.bin", span.GetTagItem("s3.key"));
        Assert.Equal(5000L, span.GetTagItem("overlay.bytes"));

        await EventuallyAsync(() => env.IsStoredLocallyAsync("remote.bin"), "the fill stored the object");
        await env.GetAndCheckAsync("remote.bin", 2, 5000);
        await GetTraceAsync(env, """
            S3 GetObject
              overlay.local_hit

            """);
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    [Fact]
    public async Task With_caching_off_every_read_is_a_remote_fill_that_stores_nothing()
    {
        await using var env = await StartAsync(("S3_OVERLAY_CACHE_ENABLED", "false"));
        await env.SeedRemoteAsync("pass.bin", 5000, 3);
        // Once the proxy has listed the local store's keys, it knows this one is not held
        // locally (nothing is stored), and asks the remote for it beside the local store.
        await env.FillsIdleAsync();
        const string expected = """
            S3 GetObject
              overlay.early_remote_read
                GET
              overlay.remote_fill overlay.cached=false

            """;

        await env.GetAndCheckAsync("pass.bin", 3, 5000);
        var first = await GetTraceAsync(env, expected);
        Assert.Equal(5000L, first.Named("overlay.remote_fill").Single().GetTagItem("overlay.bytes"));

        await env.GetAndCheckAsync("pass.bin", 3, 5000);
        await GetTraceAsync(env, expected);
        Assert.Equal(2, env.Relay.Requests("GET"));
        Assert.False(await env.IsStoredLocallyAsync("pass.bin"));
    }

    [Fact]
    public async Task A_chunked_range_read_fills_the_chunks_it_touches_then_hits_them()
    {
        // 64 KiB chunks, objects over 128 KiB chunked: 320 KiB is chunks 0..4; the range touches 1 and 2.
        await using var env = await StartAsync(("S3_OVERLAY_CHUNK_SIZE", "65536"), ("S3_OVERLAY_CHUNK_THRESHOLD", "131072"));
        const long size = 320 * 1024;
        await env.SeedRemoteAsync("big.bin", size, 4);

        await env.GetAndCheckAsync("big.bin", 4, size, 70_000, 140_000);
        var cold = await _spans.NextTraceAsync("GetObject", env.Bucket, t => t.Named("overlay.chunk_fill").Count() == 2);
        var render = cold.Render();
        // One fill per chunk, each its one ranged remote GET, started by this read (not coalesced);
        // the remote's HEAD (the object's size) before them. Chunk 2 is read ahead while chunk 1
        // streams, so it may be stored before the read reaches it, then served as a chunk hit.
        var fills = cold.Named("overlay.chunk_fill").OrderBy(f => f.GetTagItem("overlay.chunk.index")).ToList();
        Assert.Equal([1, 2], fills.Select(f => (int)f.GetTagItem("overlay.chunk.index")!));
        Assert.All(fills, f => Assert.Equal(false, f.GetTagItem("overlay.coalesced")));
        Assert.All(fills, f => Assert.Equal(["GET"], cold.ChildrenOf(f).Select(c => c.DisplayName)));
        Assert.All(fills, f => Assert.Equal(65536L, f.GetTagItem("overlay.bytes")));
        Assert.Equal(["HEAD", "GET", "GET"], cold.RemoteCalls.Select(c => c.DisplayName));
        Assert.All(cold.Spans.Where(s => s.Source.Name == "S3Overlay"), s => Assert.True(s.DisplayName == "overlay.chunk_fill"
            || (s.DisplayName == "overlay.chunk_hit" && Equals(s.GetTagItem("overlay.chunk.index"), 2)), render));
        Assert.Equal(1, env.Relay.Requests("HEAD"));
        Assert.Equal(2, env.Relay.Requests("GET"));

        // The chunks are stored just after the last byte reached the client: read until they are.
        SpanRecorder.Trace? warm = null;
        await EventuallyAsync(async () =>
        {
            env.Relay.ResetCounts();
            await env.GetAndCheckAsync("big.bin", 4, size, 70_000, 140_000);
            warm = await _spans.NextTraceAsync("GetObject", env.Bucket, t => t.Spans.Count(s => s.Source.Name == "S3Overlay") >= 2);
            return env.Relay.TotalRequests == 0;
        }, "both chunks are cached");
        Assert.Equal("""
            S3 GetObject
              overlay.chunk_hit overlay.chunk.index=1
              overlay.chunk_hit overlay.chunk.index=2

            """, warm!.Render());
    }

    [Fact]
    public async Task Coalesced_misses_make_one_fill_span_and_mark_the_waiters()
    {
        await using var env = await StartAsync();
        const long size = 1 * MiB;
        await env.SeedRemoteAsync("hot.bin", size, 5);
        // The remote's body is held (a gate after its first 64 KiB) until every reader has joined the fill.
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.PauseMidBody = remoteBody;

        const int readers = 8;
        var reads = Enumerable.Range(0, readers).Select(_ => Task.Run(() => env.GetAndCheckAsync("hot.bin", 5, size))).ToArray();
        using (var http = env.Proxy.CreateHttpClient())
            await EventuallyAsync(async () =>
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync("_overlay/status?format=json"));
                return status.RootElement.GetProperty("fills").GetProperty("coalescedWaiters").GetInt64() == readers - 1;
            }, "every other reader waits on the one fill");
        remoteBody.SetResult();
        await Task.WhenAll(reads);

        var traces = await _spans.TracesAsync("GetObject", env.Bucket, readers, t => t.Named("overlay.remote_fill").Any());
        // One request made the fill and its one remote GET; every other one waited on it, marked.
        var renders = traces.Select(t => t.Render()).ToList();
        Assert.Equal(1, renders.Count(r => r == """
            S3 GetObject
              overlay.remote_fill overlay.cached=true overlay.coalesced=false
                GET

            """));
        Assert.Equal(readers - 1, renders.Count(r => r == """
            S3 GetObject
              overlay.remote_fill overlay.coalesced=true

            """));
        var fills = traces.SelectMany(t => t.Named("overlay.remote_fill")).ToList();
        Assert.All(fills, f => Assert.Equal(size, f.GetTagItem("overlay.bytes")));
        Assert.Equal(1, env.Relay.Requests("GET"));
    }

    public void Dispose() => _spans.Dispose();
}
