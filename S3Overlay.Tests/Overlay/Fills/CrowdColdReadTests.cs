using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay.Fills;

/// <summary>
/// A crowd of cold readers of one key costs the remote one GET of the object (one per chunk of a
/// chunked one) and its bytes once, with early remote reads on (the default), on a machine whose
/// cores are all kept busy, key after key. Counted at the relay in front of the remote, and by
/// the proxy's own count of early reads let go (a GET let go may be cancelled before it reaches
/// the relay; it is counted all the same). One extra GET for one key of the run fails it.
/// </summary>
[Collection(RunsAlone.Name)]
public abstract class CrowdColdReadTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int Readers = 48;

    protected abstract LocalStoreKind Kind { get; }

    [Fact]
    public async Task A_crowd_of_cold_readers_of_each_whole_object_costs_the_remote_one_GET_and_its_bytes_once() =>
        await ReadInCrowdsAsync(keys: 10, size: MiB, most: 1, new Dictionary<string, string?>());

    [Fact]
    public async Task A_crowd_of_cold_readers_of_each_chunked_object_costs_the_remote_one_GET_per_chunk_and_its_bytes_once()
    {
        await ReadInCrowdsAsync(keys: 4, size: 4 * MiB, most: 4, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{MiB}",
        });
    }

    /// <param name="most">The most remote GETs one key may cost: 1 for a whole object, its chunk count for a chunked one.</param>
    private async Task ReadInCrowdsAsync(int keys, long size, int most, Dictionary<string, string?> settings)
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind, settings);
        // A fill makes the local bucket and ends the listing of the local store's keys: from now on a cold key is read early.
        await env.SeedRemoteAsync("warm-up", 10, 0);
        await env.GetAndCheckAsync("warm-up", 0, 10);
        await env.FillsIdleAsync();
        for (var k = 0; k < keys; k++) await env.SeedRemoteAsync($"crowd-{k}.bin", size, k);
        using var outcomes = new EarlyReadOutcomes(env);

        var found = new List<string>();
        using (new BusyCores())
        {
            for (var k = 0; k < keys; k++)
            {
                var key = $"crowd-{k}.bin";
                env.Relay.ResetCounts();
                var seed = k;
                await Task.WhenAll(Enumerable.Range(0, Readers).Select(async _ =>
                {
                    await Task.Yield();
                    await env.GetAndCheckAsync(key, seed, size);
                }));
                await env.FillsIdleAsync();
                await Polling.EventuallyAsync(() => env.Relay.OpenRequests == 0, "no remote request stays open");
                var gets = env.Relay.Log.Count(r => r.Method == "GET" && r.Target.Contains(key, StringComparison.Ordinal));
                if (gets > most || gets < 1 || env.Relay.BytesRelayed != size)
                    found.Add($"{key}: {gets} GETs ({string.Join(", ", env.Relay.Asked)}), {env.Relay.BytesRelayed / (double)size:F3} x its bytes");
            }
        }
        Assert.True(found.Count == 0, string.Join("\n", found));
        Assert.Equal(0, outcomes.Counted.GetValueOrDefault("let_go"));
        Assert.InRange(outcomes.Counted.GetValueOrDefault("used"), 1, keys);
    }
}

[FunctionalTests]
public sealed class CrowdColdReadsOverEmbeddedStoreTests(OverlayServers servers) : CrowdColdReadTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

[FunctionalTests]
public sealed class CrowdColdReadsOverRgwTests(OverlayServers servers) : CrowdColdReadTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}
