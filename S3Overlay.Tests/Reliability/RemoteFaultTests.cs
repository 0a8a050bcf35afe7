using Microsoft.Extensions.DependencyInjection;
using System.Net;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The fast slice of the remote-fault run (reliability/run.sh runs more objects and readers): a
/// remote that resets, truncates, stalls, fails, corrupts or crawls. Whatever it does, every
/// reader gets the right bytes or an error, never wrong bytes and never a hang past the remote
/// timeout; nothing wrong is cached; once healed, a read fills correctly.
/// </summary>
[ReliabilityTests]
public sealed class RemoteFaultTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private static readonly int Readers = ReliabilityRun.Scale(4, 16);
    // The remote timeout (FaultWorld.RemoteTimeout) plus room for a loaded machine; a read still open past it is a hang.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static readonly Dictionary<string, Fault> Faults = new()
    {
        ["reset"] = new(FaultKind.Reset, AfterBytes: 20_000),
        ["truncate"] = new(FaultKind.Truncate, AfterBytes: 20_000),
        ["stall"] = new(FaultKind.Stall, AfterBytes: 20_000),
        ["silent"] = new(FaultKind.Silent),
        ["500"] = new(FaultKind.Status, Status: 500),
        ["503"] = new(FaultKind.Status, Status: 503),
        ["403"] = new(FaultKind.Status, Status: 403),
        ["corrupt"] = new(FaultKind.Corrupt, AfterBytes: 50_000),
        ["slow"] = new(FaultKind.Slow, Delay: TimeSpan.FromMilliseconds(5)),
    };

    public static TheoryData<string> FaultNames() => new(Faults.Keys);

    /// <summary>
    /// With the cache on and off at once, each in a world of its own: a silent or stalled remote
    /// costs the pair one remote timeout, not one each (the class spent 17 of its 23 s waiting on
    /// them one after the other).
    /// </summary>
    [Theory]
    [MemberData(nameof(FaultNames))]
    public async Task A_faulty_remote_gives_right_bytes_or_an_error_and_nothing_wrong_is_cached(string faultName)
    {
        var checks = new[] { true, false }.Select(cache => CheckAsync(faultName, cache)).ToArray();
        try
        {
            await Task.WhenAll(checks);
        }
        catch when (checks.Count(c => c.IsFaulted) > 1)
        {
            throw new AggregateException(checks.Where(c => c.IsFaulted).SelectMany(c => c.Exception!.InnerExceptions));
        }
    }

    private async Task CheckAsync(string faultName, bool cache)
    {
        try
        {
            await CheckFaultAsync(faultName, cache);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"cache {(cache ? "on" : "off")}: {e.Message}", e);
        }
    }

    private async Task CheckFaultAsync(string faultName, bool cache)
    {
        var fault = Faults[faultName];
        await using var world = await FaultWorld.StartAsync(servers.Remote, servers.RemoteClient, cache);
        var objects = new List<(string Key, long Length, int Seed)> { ("whole", FaultWorld.WholeSize, 1) };
        // A ranged answer carries the whole object's ETag, so one changed byte in a chunk cannot be
        // told from the right one: corruption is only detectable (and only asserted) on whole objects.
        if (fault.Kind != FaultKind.Corrupt) objects.Add(("chunked", FaultWorld.ChunkedSize, 2));
        foreach (var (key, length, seed) in objects) await world.SeedAsync(key, length, seed);

        world.Relay.Plan = FaultRelay.OnObjectGets(fault);
        // Every object's readers at once: a silent or stalled remote costs one remote timeout, not one an object.
        var reads = objects.Select(o => Task.WhenAll(Enumerable.Range(0, Readers).Select(_ => world.ReadAsync(o.Key, o.Length, o.Seed, Deadline)))).ToList();
        foreach (var outcomes in await Task.WhenAll(reads))
        {
            ReliabilityRun.Tally("faults", $"{faultName}", outcomes.Length, outcomes.Count(o => o == ReadOutcome.Wrong));
            var expected = fault.Kind == FaultKind.Slow ? ReadOutcome.Right : ReadOutcome.Error;
            Assert.All(outcomes, o => Assert.Equal(expected, o));
        }
        Assert.True(world.Relay.FaultsInjected > 0, "no fault was injected");

        world.Relay.Heal();
        foreach (var (key, length, seed) in objects)
        {
            // Fills the faulty remote started may still be running out their timeout; a read that
            // joins one shares its fate. Said in the failure, to tell that from a fill that fails anew.
            // (A failure with the cache off, no fill in flight and "no answer within 1 s" was the
            // machine's load against the remote timeout: see FaultWorld.RemoteTimeout.)
            var (whole, chunks) = (world.Proxy.Services.GetRequiredService<S3Overlay.Overlay.Fills.WholeObjectFills>(), world.Proxy.Services.GetRequiredService<S3Overlay.Overlay.Chunks.ChunkedReads>());
            var inFlight = $"fills in flight as the read began: {whole.InFlight} whole, {chunks.InFlight} chunk";
            var (began, relayed) = (DateTime.UtcNow, world.Relay.Requests);
            var outcome = await world.ReadAsync(key, length, seed, Deadline);
            Assert.True(outcome == ReadOutcome.Right,
                $"{key} after the heal: {outcome} ({world.LastError}; the read began {began:HH:mm:ss.fff} and made " +
                $"{world.Relay.Requests - relayed} requests to the remote); {inFlight}");
        }
        if (!cache) return;

        // With the remote refusing everything, only the cache can answer: it must hold exactly the right bytes.
        world.Relay.Plan = _ => new Fault(FaultKind.Status, Status: 503);
        foreach (var (key, length, seed) in objects)
            await EventuallyAsync(
                async () => await world.ReadAsync(key, length, seed, Deadline) switch
                {
                    ReadOutcome.Wrong => throw new Xunit.Sdk.XunitException($"the cache served wrong bytes of {key}"),
                    var o => o == ReadOutcome.Right,
                },
                $"{key} served from the cache with the remote down");
    }

    [Fact]
    public async Task A_chunk_the_remote_refuses_after_the_first_bytes_went_out_cuts_the_connection_and_is_no_error_of_ours()
    {
        // The whole GET's answer gives chunk 0 and then breaks (its connection reset where chunk 1
        // begins, so chunk 1 is asked for on its own), and the remote refuses every other GET:
        // chunk 1 fails after chunk 0's bytes and the headers are out. No error document can
        // follow them: the connection is cut, and nothing is logged as the proxy's own error (the
        // world's proxy fails its teardown on one; Kestrel logged "too few bytes written" here).
        await using var world = await FaultWorld.StartAsync(servers.Remote, servers.RemoteClient, cache: true);
        await world.SeedAsync("chunked", FaultWorld.ChunkedSize, 3);
        var objectGets = 0;
        var first = FaultRelay.OnObjectGets(new Fault(FaultKind.Reset, AfterBytes: FaultWorld.ChunkSize));
        var refuse = FaultRelay.OnObjectGets(new Fault(FaultKind.Status, Status: 500));
        world.Relay.Plan = request => refuse(request) is { } fault ? Interlocked.Increment(ref objectGets) > 1 ? fault : first(request) : null;

        Assert.Equal(ReadOutcome.Error, await world.ReadAsync("chunked", FaultWorld.ChunkedSize, 3, Deadline));
        Assert.True(world.Relay.FaultsInjected > 0, "no fault was injected");
    }

    [Theory]
    [InlineData("503")]
    [InlineData("silent")]
    public async Task Health_names_the_remote_when_the_remote_fails(string faultName)
    {
        await using var world = await FaultWorld.StartAsync(servers.Remote, servers.RemoteClient, cache: true);
        // No check before the fault: a health result is reused for a few seconds (Telemetry/StorageHealthCheck).
        var fault = Faults[faultName];
        world.Relay.Plan = _ => fault;
        using var timeout = new CancellationTokenSource(Deadline);
        // Why a check failed is for signed-in operators (HTTP Basic, as the admin API).
        using var operatorClient = new HttpClient { BaseAddress = new Uri(world.Proxy.Url + "/") };
        operatorClient.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        using var sick = await operatorClient.GetAsync("_overlay/health", timeout.Token);
        var report = await sick.Content.ReadAsStringAsync(timeout.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, sick.StatusCode);
        Assert.True(report.Contains("remote", StringComparison.OrdinalIgnoreCase), report);
        Assert.DoesNotContain("local store", report, StringComparison.OrdinalIgnoreCase);
    }
}
