using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using S3Overlay.Tests.Clients;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Readers that seek by opening <c>Range: bytes=X-</c> and closing after a few
/// KiB (smart_open, GDAL, most HTTP range readers). A range whose first chunk is cached is served
/// without asking the remote anything, so an identical repeat costs 0 (a generation check that fetched, and waited for, the first
/// chunk not cached anywhere up to the object's end would cost every repeat one more chunk). A chunk is read ahead at a reader's second read of the one before
/// (not as each chunk opens, which would cost every 64 KiB seek two chunks). A whole GET still proves the generation before its first
/// byte (OverlayReadThroughTests: a replaced object is a clean retry, never a cut body).
/// </summary>
[ConformanceTests]
public sealed class SeekingReaderTests(OverlayServers servers, ITestOutputHelper output) : IClassFixture<OverlayServers>
{
    private const long ChunkSize = 4 * MiB;
    private const long Size = 10 * ChunkSize;

    /// <summary>The pattern of the remote object the tests that do not replace it share.</summary>
    private const int Shared = 37;

    /// <summary>
    /// The 40 MiB remote object, put once for the tests that only read it (each has a proxy and a
    /// cache of its own); the test that replaces it puts its own.
    /// </summary>
    private static Task<string>? s_sharedRemote;
    private static readonly Lock SharedRemoteGate = new();

    private static Task<string> SharedRemoteAsync(OverlayServers servers)
    {
        lock (SharedRemoteGate) return s_sharedRemote ??= SeedAsync(servers.RemoteClient);

        static async Task<string> SeedAsync(Amazon.S3.IAmazonS3 remote)
        {
            var bucket = "seek-" + Guid.NewGuid().ToString("N")[..12];
            await remote.PutBucketAsync(bucket);
            await remote.PutPatternAsync(bucket, "seek.bin", Size, Shared);
            return bucket;
        }
    }

    private static readonly Dictionary<string, string?> Chunks = new()
    {
        ["S3_OVERLAY_CHUNK_SIZE"] = $"{ChunkSize}",
        ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{ChunkSize}",
    };

    /// <summary>A proxy over the shared remote object (pattern <see cref="Shared"/>).</summary>
    private static async Task<OverlayEnvironment> StartAsync(OverlayServers servers) =>
        await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, Chunks, remoteBucket: await SharedRemoteAsync(servers));

    /// <summary>A proxy over a remote object of its own, pattern <paramref name="seed"/>.</summary>
    private static async Task<OverlayEnvironment> StartAsync(OverlayServers servers, int seed)
    {
        var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, Chunks);
        await env.SeedRemoteAsync("seek.bin", Size, seed);
        return env;
    }

    /// <summary>
    /// Opens <c>bytes=<paramref name="offset"/>-</c>, checks 64 KiB of it and goes, as a seeking
    /// reader does. With <paramref name="narrow"/>, its socket takes 4 KiB at a time, so the
    /// proxy's first 256 KiB send is never taken whole; without, the connection's buffers take
    /// megabytes before the client hangs up (as smart_open's and the bench's readers do).
    /// </summary>
    private static async Task SeekAndReadAsync(OverlayEnvironment env, long offset, int seed, bool narrow = true)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (narrow) socket.ReceiveBufferSize = 4096;
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        await OpenEndedRead.TakeAsync(env, "seek.bin", Size, seed, offset, 64 * 1024, handler);
    }

    /// <summary>One pass of reads, counted from zero until the proxy's background work (fills, read-ahead) is over; the remote requests it asked, with their ranges, go to the test's output.</summary>
    private async Task PassAsync(OverlayEnvironment env, string name, Func<Task> reads)
    {
        env.Relay.ResetCounts();
        await reads();
        await env.FillsIdleAsync();
        output.WriteLine($"{name}: {string.Join(", ", env.Relay.Asked)}; {env.Relay.BytesRelayed / (double)MiB:F1} MiB");
    }

    [Fact]
    public async Task An_identical_repeat_of_a_seek_costs_the_remote_nothing_and_the_first_costs_at_most_one_chunk_ahead()
    {
        await using var env = await StartAsync(servers);
        var offsets = new[] { 2 * ChunkSize + 1000, 7 * ChunkSize + 5, 5 * ChunkSize + ChunkSize / 2 };
        async Task Seeks() { foreach (var offset in offsets) await SeekAndReadAsync(env, offset, Shared); }
        await PassAsync(env, "first pass", Seeks);
        Assert.InRange(env.Relay.Requests("GET"), offsets.Length, 2 * offsets.Length); // each seek's own chunk, at most one ahead

        await PassAsync(env, "repeat", Seeks);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    /// <summary>
    /// The same seeks through a client whose connection takes what the proxy writes by the
    /// megabyte: a proxy paced by what it wrote would write on past the cached chunk into the next,
    /// fetch it, and read one further ahead, though the client had taken 64 KiB and gone (the
    /// repeat then costs remote GETs: 12 of 30 seeks in the bench at 1 MiB chunks). What the client
    /// has taken paces it.
    /// </summary>
    [Fact]
    public async Task Through_a_connection_that_buffers_megabytes_a_repeat_of_a_seek_costs_nothing_and_the_first_its_own_chunk()
    {
        await using var env = await StartAsync(servers);
        var offsets = new[] { 2 * ChunkSize + ChunkSize / 2, 6 * ChunkSize + ChunkSize / 2, 4 * ChunkSize + 3 * ChunkSize / 4 };
        async Task Seeks() { foreach (var offset in offsets) await SeekAndReadAsync(env, offset, Shared, narrow: false); }
        await PassAsync(env, "first pass", Seeks);
        Assert.Equal(offsets.Length, env.Relay.Requests("GET")); // a seek's own chunk: 64 KiB taken reads nothing ahead

        await PassAsync(env, "repeat", Seeks);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    /// <summary>
    /// smart_open itself (Debian's python3-smart-open, through boto3): each seek closes its body
    /// and opens <c>bytes=X-</c> anew; it reads 64 KiB (its buffer takes 128 KiB) at each.
    /// </summary>
    [Fact]
    public async Task Smart_open_seeking_costs_the_chunks_it_reached_and_a_repeat_costs_nothing()
    {
        await using var env = await StartAsync(servers);
        long[] offsets = [3 * ChunkSize + ChunkSize / 2, 8 * ChunkSize + 1000, ChunkSize / 3];
        using var python = new ClientProcess();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "smart_open_seeks.py");
        string[] arguments = [script, env.Proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey, env.Bucket, "seek.bin", $"{Shared}", .. offsets.Select(o => $"{o}")];

        async Task Seeks() => Assert.Equal("OK", (await python.RunAsync("/usr/bin/python3", arguments)).Trim());
        await PassAsync(env, "first run", Seeks);
        Assert.Equal(offsets.Length, env.Relay.Requests("GET")); // each seek's own chunk, nothing ahead of 128 KiB taken

        await PassAsync(env, "repeat", Seeks);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    [Fact]
    public async Task The_first_byte_of_an_open_ended_range_whose_first_chunk_is_cached_waits_for_no_remote_request()
    {
        await using var env = await StartAsync(servers);
        await SeekAndReadAsync(env, 100, Shared); // chunk 0 cached (chunk 1 perhaps, read ahead)
        await env.FillsIdleAsync();

        // The remote now fails everything: a read that asked it for a chunk before its first byte
        // would fail (as one whose generation check fetched the first chunk not cached, chunk 1 or 2).
        env.Relay.Mode = CountingRelay.Behaviour.Answer500;
        await SeekAndReadAsync(env, 0, Shared);
    }

    [Fact]
    public async Task A_replaced_object_read_from_its_cached_first_chunk_is_cut_never_mixed_and_the_next_read_has_the_new_one()
    {
        const int old = 40, replaced = 41;
        await using var env = await StartAsync(servers, old);
        await SeekAndReadAsync(env, 100, old); // chunk 0 of the old version cached
        await env.FillsIdleAsync();
        await env.SeedRemoteAsync("seek.bin", Size, replaced);

        // Served from the cached chunk without asking the remote; the first chunk it must fetch is
        // refused (If-Match: the old ETag), so the body stops there: every byte it had was the old version's.
        using var http = new HttpClient(new SigningHandler()) { BaseAddress = new Uri(env.Proxy.Url + "/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{env.Bucket}/seek.bin");
        request.Headers.Range = new RangeHeaderValue(0, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256 * 1024];
        var expected = new byte[buffer.Length];
        long position = 0;
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                PatternData.Fill(expected.AsSpan(0, n), position, old);
                Assert.True(expected.AsSpan(0, n).SequenceEqual(buffer.AsSpan(0, n)), $"bytes at {position} are not the old version's");
                position += n;
            }
        });
        Assert.InRange(position, 64 * 1024, Size - 1);

        Assert.Equal(replaced, await env.VersionServedAsync("seek.bin", 0, 99, replaced, old));
    }
}
