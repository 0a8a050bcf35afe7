using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay.Chunks;

/// <summary>
/// Range readers that give up at once: each opens <c>Range: bytes=N-</c> of a chunked remote
/// object on a connection of its own, takes one byte and hangs up. Whatever the first pass made
/// the proxy fetch, it kept: the same pass again asks the remote nothing. The offsets are spread
/// over the object by a seeded draw, some at a chunk's first byte and some at its last (where one
/// byte taken is the whole rest of the chunk).
/// </summary>
[FunctionalTests]
public sealed class AbandonedSeeksTests(OverlayServers servers, ITestOutputHelper output) : IClassFixture<OverlayServers>
{
    private const long ChunkSize = MiB;
    private const long Size = 64 * MiB;
    private const int Seed = 70;

    /// <summary>30 offsets: 8 at a chunk's first byte, 8 at a chunk's last, 14 anywhere, and the object's first and last bytes among them.</summary>
    private static long[] Offsets()
    {
        var draw = new Random(Seed);
        var chunks = (int)(Size / ChunkSize);
        var offsets = new SortedSet<long> { 0, Size - 1 };
        while (offsets.Count < 10) offsets.Add(draw.Next(1, chunks) * ChunkSize);
        while (offsets.Count < 18) offsets.Add(draw.Next(1, chunks) * ChunkSize - 1);
        while (offsets.Count < 30) offsets.Add(draw.NextInt64(1, Size - 1));
        // Shuffled, the same way each pass: readers seek back and forth.
        return [.. offsets.OrderBy(_ => draw.Next())];
    }

    /// <summary>
    /// Opens <c>bytes=<paramref name="offset"/>-</c> on a new connection, checks its first byte and
    /// hangs up: nothing drained, the connection closed (a pooled one would be read on to its end, up to the handler's drain size).
    /// </summary>
    private static Task TakeOneByteAsync(OverlayEnvironment env, long offset) =>
        OpenEndedRead.TakeAsync(env, "seek.bin", Size, Seed, offset, 1, new SocketsHttpHandler { MaxResponseDrainSize = 0 });

    [Fact]
    public async Task Thirty_readers_that_take_one_byte_and_go_cost_an_identical_second_pass_nothing()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{ChunkSize}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{ChunkSize}",
        });
        await env.SeedRemoteAsync("seek.bin", Size, Seed);
        var offsets = Offsets();
        output.WriteLine($"offsets: {string.Join(", ", offsets)}");

        async Task<IReadOnlyList<string>> PassAsync(string name)
        {
            env.Relay.ResetCounts();
            foreach (var offset in offsets) await TakeOneByteAsync(env, offset);
            await env.FillsIdleAsync();
            var asked = env.Relay.Asked;
            output.WriteLine($"{name}: {asked.Count} remote requests, {env.Relay.BytesRelayed / (double)MiB:F1} MiB: {string.Join(", ", asked)}");
            return asked;
        }

        var first = await PassAsync("first pass");
        Assert.NotEmpty(first);
        Assert.Equal([], await PassAsync("second pass"));
    }
}
