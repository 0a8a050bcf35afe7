using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Many cold readers of one chunked object at once cost the remote at most one
/// GET per chunk, and each byte of it once: the whole GET that found the object large gives
/// chunk 0 and goes on as the fill of chunk 1, 2, ... while readers want them; no reader asks for
/// a chunk again while another fill holds it (a refetch shows as 9 or more GETs for the 8 chunks
/// here; a whole answer hung up after chunk 0, with megabytes more already pushed into its
/// connection, as 1.01-1.9 times the object's bytes).
/// </summary>
[Collection(RunsAlone.Name)]
[FunctionalTests]
public sealed class ConcurrentColdReadersTests(OverlayServers servers, ITestOutputHelper output) : IClassFixture<OverlayServers>
{
    private const long Size = 8 * MiB;

    [Fact]
    public async Task Sixty_cold_readers_of_one_chunked_object_cost_at_most_one_remote_GET_per_chunk_and_its_bytes_once() =>
        await ReadTogetherAsync(readers: 60, seed: 60);

    /// <summary>Fewer readers (where a refetch shows as up to 1.9 times the object's bytes: the readers through chunk 0 before the others asked for the rest).</summary>
    [Fact]
    public async Task Concurrent_cold_readers_of_one_chunked_object_cost_the_remote_its_bytes_once() =>
        await ReadTogetherAsync(readers: 16, seed: 61);

    /// <summary><paramref name="readers"/> whole GETs at once of a cold object in 8 chunks of 1 MiB.</summary>
    private async Task ReadTogetherAsync(int readers, int seed)
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{MiB}",
        });
        await env.SeedRemoteAsync("hot.bin", Size, seed);
        env.Relay.ResetCounts();

        await Task.WhenAll(Enumerable.Range(0, readers).Select(async _ =>
        {
            await Task.Yield();
            await env.GetAndCheckAsync("hot.bin", seed, Size);
        }));
        await env.FillsIdleAsync();
        await EventuallyAsync(() => env.Relay.OpenRequests == 0, "no remote request stays open");
        output.WriteLine($"{string.Join(", ", env.Relay.Asked)}; {env.Relay.BytesRelayed / (double)Size:F3} x the object");
        Assert.InRange(env.Relay.Requests("GET"), 1, 8);
        Assert.Equal(0, env.Relay.Requests("HEAD"));
        Assert.Equal(Size, env.Relay.BytesRelayed); // no byte asked for twice
    }
}
