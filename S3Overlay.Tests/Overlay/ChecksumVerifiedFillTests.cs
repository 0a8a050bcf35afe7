using System.Collections.Concurrent;
using System.Diagnostics;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Reliability;
using S3Overlay.Tests.S3;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A fill is verified by the cheapest evidence the remote gives for the whole body: the
/// full-object CRC64NVME a current SDK sends with its upload, kept and returned (checksum mode)
/// by a remote that keeps it, else the MD5 a plain ETag is. The evidence used is shown twice: a
/// relay that changes a byte and makes the ETag the changed body's MD5 is caught only by the
/// checksum, and the fill's span says what checked it (<c>overlay.verified_by</c>).
/// </summary>
/// <param name="keeping">The proxy itself on its embedded store: a remote that keeps the checksums its writers send.</param>
[FunctionalTests]
public sealed class ChecksumVerifiedFillTests(S3Fixture keeping, OverlayServers s3rver)
    : IClassFixture<S3Fixture>, IClassFixture<OverlayServers>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const long Size = FaultWorld.WholeSize;

    // Listeners are process-wide: each world's bucket is its own, so its fills are told apart by it.
    private readonly ConcurrentQueue<Activity> _fills = new();
    private ActivityListener? _listener;

    private Task<FaultWorld> KeepingWorldAsync(bool cache) =>
        FaultWorld.StartAsync(keeping.Proxy.Url, (ProxyServer.AccessKey, ProxyServer.SecretKey), keeping.Client, cache);

    /// <summary>Seeds the object as a current SDK uploads it: with its CRC64NVME, which the remote keeps.</summary>
    private static async Task<string> SeedWithChecksumAsync(FaultWorld world, string key, int seed)
    {
        var bytes = new byte[Size];
        PatternData.Fill(bytes, 0, seed);
        var crc = S3Overlay.Storage.Checksums.ChecksumAlgorithm.Crc64Nvme.Compute(bytes);
        await world.SeedAsync(key, Size, seed, r => r.ChecksumCRC64NVME = crc);
        return crc;
    }

    /// <summary>What checked the fills of <paramref name="bucket"/> so far (their spans' <c>overlay.verified_by</c>), once their spans have ended.</summary>
    private async Task<string[]> VerifiedByAsync(FaultWorld world, int fills)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            var ended = _fills.Where(f => Equals(f.GetTagItem("s3.bucket"), world.Bucket)).ToArray();
            if (ended.Length >= fills) return [.. ended.Select(f => f.GetTagItem("overlay.verified_by") as string ?? "(none)")];
            await Task.Delay(25);
        }
        Assert.Fail($"fewer than {fills} fill spans ended on {world.Bucket}");
        return null!;
    }

    private void RecordFills()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "S3Overlay",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.DisplayName == "overlay.remote_fill") _fills.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_remote_that_offers_a_full_object_checksum_has_the_fill_verified_by_it(bool cache)
    {
        RecordFills();
        await using var world = await KeepingWorldAsync(cache);
        var crc = await SeedWithChecksumAsync(world, "k", seed: 1);
        var modes = new ConcurrentQueue<string>();
        world.Relay.Plan = r =>
        {
            if (r.Method == "GET") modes.Enqueue(r.Headers["x-amz-checksum-mode"].ToString());
            return null;
        };

        Assert.True(ReadOutcome.Right == await world.ReadAsync("k", Size, 1, Deadline), world.LastError);

        Assert.Equal(["crc64nvme"], await VerifiedByAsync(world, 1));
        Assert.Equal(["ENABLED"], modes);
        // The remote's checksum is the object's, as its other headers are: given to a reader that asks for it.
        var head = new HttpRequestMessage(HttpMethod.Head, $"{world.Bucket}/k");
        head.Headers.TryAddWithoutValidation("x-amz-checksum-mode", "ENABLED");
        using var answer = await world.Http.SendAsync(head);
        Assert.Equal(crc, answer.Headers.GetValues("x-amz-checksum-crc64nvme").Single());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_whose_ETag_was_made_its_own_MD5_is_refused_by_the_checksum_and_nothing_is_stored(bool cache)
    {
        await using var world = await KeepingWorldAsync(cache);
        await SeedWithChecksumAsync(world, "k", seed: 2);

        world.Relay.Plan = FaultRelay.OnObjectGets(new Fault(FaultKind.Forge, AfterBytes: 50_000));
        Assert.Equal(ReadOutcome.Error, await world.ReadAsync("k", Size, 2, Deadline));
        Assert.Equal(1, world.Relay.FaultsInjected);

        world.Relay.Heal();
        var asked = world.Relay.Requests;
        Assert.Equal(ReadOutcome.Right, await world.ReadAsync("k", Size, 2, Deadline));
        Assert.True(world.Relay.Requests > asked, "the forged body was kept: the read after the heal did not ask the remote");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // a client's read passed on uncached is proven too: its bytes come over the remote's network
    public async Task A_remote_without_checksums_still_has_the_fill_verified_by_the_MD5_its_ETag_is(bool cache)
    {
        RecordFills();
        await using var world = await FaultWorld.StartAsync(s3rver.Remote, s3rver.RemoteClient, cache: cache);
        await world.SeedAsync("k", Size, 3);

        world.Relay.Plan = FaultRelay.OnObjectGets(new Fault(FaultKind.Corrupt, AfterBytes: 50_000));
        Assert.Equal(ReadOutcome.Error, await world.ReadAsync("k", Size, 3, Deadline));
        world.Relay.Heal();
        Assert.Equal(ReadOutcome.Right, await world.ReadAsync("k", Size, 3, Deadline));

        Assert.Equal(["md5", "md5"], await VerifiedByAsync(world, 2));
    }

    public void Dispose() => _listener?.Dispose();
}
