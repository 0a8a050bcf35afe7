using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The load run: many clients for a while against the proxy (a child process, embedded store, or
/// Ceph RGW for a soak that asks for it, overlay with caching on, s3rver as the remote) doing cold and warm GETs, ranges, PUTs, HEADs,
/// listings and deletes, every body checked. No unexpected error, bounded memory, and once the
/// clients are gone no file descriptors or spill files left over. The cache is capped below what
/// the remote objects take, so eviction runs all along and GETs keep going cold (counted at the remote).
/// </summary>
[ReliabilityTests]
public sealed class LoadTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Bucket = "load";
    private const int RemoteObjects = 24;
    private const long RemoteSize = 64 * 1024;
    private const long ChunkedSize = 5 * 65_536 + 77;
    // About half of what the remote objects take (21 of about 62 KiB, 3 chunked of 320 KiB).
    private const long CacheCap = 1024 * 1024;

    [Fact]
    public async Task Many_clients_for_a_while_get_no_unexpected_error_and_leak_nothing()
    {
        var clients = ReliabilityRun.Scale(16, 256);
        // A soak (reliability/run.sh --soak MINUTES) is the same load for as long as asked, sampled every minute.
        var soak = ReliabilityRun.SoakMinutes;
        var duration = soak > 0 ? TimeSpan.FromMinutes(soak) : TimeSpan.FromSeconds(ReliabilityRun.Scale(3, 60));
        var seed = ReliabilityRun.Seed(77);
        var root = Directory.CreateTempSubdirectory("s3overlay-load-").FullName;
        var spillDir = Path.Combine(root, "spill");
        var remoteBucket = "load" + Guid.NewGuid().ToString("N")[..8];
        await servers.RemoteClient.PutBucketAsync(remoteBucket);
        for (var i = 0; i < RemoteObjects; i++)
            await servers.RemoteClient.PutObjectAsync(new PutObjectRequest { BucketName = remoteBucket, Key = $"r{i}", InputStream = PatternData.Open(Size(i), i), UseChunkEncoding = false });
        await using var relay = await CountingRelay.StartAsync(servers.Remote.Url);
        var environment = ChildProxySettings.Overlay(root, relay.Url, Bucket, remoteBucket);
        environment["S3_OVERLAY_CACHE_MAX_BYTES"] = CacheCap.ToString();
        // The soak reads the runtime's heap figures from the proxy's own metrics.
        environment["S3_OVERLAY_METRICS"] = "true";
        environment["S3_OVERLAY_METRICS_PUBLIC"] = "true";
        // ... and counts what is alive with a full collection in the proxy, by a startup hook beside the tests.
        var probeSocket = Path.Combine(root, "heap-probe.sock");
        if (soak > 0)
        {
            environment["DOTNET_STARTUP_HOOKS"] = Path.Combine(AppContext.BaseDirectory, "S3Overlay.HeapProbe.dll");
            environment[S3Overlay.HeapProbe.LiveHeapProbe.SocketVariable] = probeSocket;
        }
        if (ReliabilityRun.LoadLocalStore != LocalStoreKind.Embedded)
        {
            foreach (var (name, value) in (await servers.LocalUserAsync(ReliabilityRun.LoadLocalStore)).AsLocalStore()) environment[name] = value!;
        }
        try
        {
            await using var proxy = await ProxyProcess.StartAsync(environment);
            var sampler = new SoakSampler(proxy, environment["S3_OVERLAY_DATA_DIR"]!, spillDir, soak, probeSocket);
            using var client = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await client.PutBucketAsync(Bucket);
            var errors = new ConcurrentQueue<string>();
            long operations = 0, bytes = 0;
            // Each client's keys outlive the warm-up: what it wrote then is still there (and listed) after.
            var randoms = Enumerable.Range(0, clients).Select(c => new Random(seed + c)).ToArray();
            var ledgers = Enumerable.Range(0, clients).Select(_ => new Dictionary<string, int>()).ToArray();
            async Task RunAsync(TimeSpan length)
            {
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
                {
                    var (random, mine) = (randoms[c], ledgers[c]);
                    while (clock.Elapsed < length)
                    {
                        try
                        {
                            var started = Stopwatch.GetTimestamp();
                            Interlocked.Add(ref bytes, await OneOperationAsync(client, random, c, mine));
                            sampler.Record(Stopwatch.GetElapsedTime(started));
                            Interlocked.Increment(ref operations);
                        }
                        catch (Exception e)
                        {
                            errors.Enqueue($"client {c}: {e.GetType().Name}: {e.Message}");
                        }
                    }
                })));
            }

            // A warm-up first: the connection pools (clients to proxy, proxy to remote) are full
            // before the file descriptors are counted, so what grows after is a leak.
            await RunAsync(TimeSpan.FromSeconds(ReliabilityRun.Scale(1, 5)));
            var baselineFds = proxy.OpenFileDescriptors;
            operations = bytes = 0;
            relay.ResetCounts();
            var clock = Stopwatch.StartNew();
            using var sampling = new CancellationTokenSource();
            var sampled = soak > 0 ? sampler.RunAsync(sampling.Token) : Task.CompletedTask;
            await RunAsync(duration);
            await sampling.CancelAsync();
            await sampled;
            var elapsed = clock.Elapsed.TotalSeconds;
            var peak = proxy.PeakRssMiB;
            var cold = relay.Requests("GET");

            // Once the work is over, the fills' spill files must go, and the descriptors come back to the warm count.
            var fds = proxy.OpenFileDescriptors;
            for (var i = 0; i < 100 && (fds > baselineFds + 16 || SpillFiles(spillDir) > 0); i++)
            {
                await Task.Delay(100);
                fds = proxy.OpenFileDescriptors;
            }
            var spill = SpillFiles(spillDir);
            var report = $"{clients} clients × {duration.TotalSeconds:0} s: {operations} operations ({operations / elapsed:0}/s, {bytes / elapsed / 1048576:0.0} MiB/s; {cold} remote GETs for cold reads, the cache capped at {CacheCap / 1024} KiB), peak RSS {peak:0} MiB, fds {baselineFds} → {fds}";
            ReliabilityRun.Report("load", report, $"{errors.Count} unexpected errors, {spill} spill files left, {Math.Max(0, fds - baselineFds)} fds over the start");
            TestContext.Current.SendDiagnosticMessage(report);
            // A soak's samples are kept whatever it ends with: a failed hour still tells how memory went.
            if (soak > 0 && Environment.GetEnvironmentVariable("RELIABILITY_SOAK_RESULTS") is { Length: > 0 } rows) File.WriteAllLines(rows, sampler.Rows());
            var kinds = errors.GroupBy(e => e[(e.IndexOf(':') + 2)..]).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}");
            Assert.True(errors.IsEmpty, $"seed {seed}: {errors.Count} errors in {operations} operations, by kind:\n{string.Join("\n", kinds.Take(20))}");
            Assert.Equal(0, spill);
            Assert.True(fds <= baselineFds + 16, $"{fds} file descriptors open after the load, {baselineFds} before");
            Assert.True(peak < 1024, $"peak RSS {peak:0} MiB");
            Assert.True(cold > 0, "no GET went cold: the cache cap does not make the load evict");
            if (soak > 0)
            {
                var climb = SoakVerdict.Climb(sampler.Samples);
                ReliabilityRun.Report("soak", $"{soak} min: {report}; {SoakVerdict.Memory(sampler.Samples)}", climb ?? $"flat after warm-up: {errors.Count} errors, {spill} spill files left");
                Assert.True(climb is null, climb);
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static long Size(int i) => i % 8 == 7 ? ChunkedSize : RemoteSize - i * 100;

    private static int SpillFiles(string spillDir) => Directory.Exists(spillDir) ? Directory.GetFiles(spillDir, "*", SearchOption.AllDirectories).Length : 0;

    /// <summary>One operation, its answer checked; returns the body bytes it moved.</summary>
    private static async Task<long> OneOperationAsync(AmazonS3Client client, Random random, int c, Dictionary<string, int> mine)
    {
        var own = $"c{c}/k{random.Next(4)}";
        switch (random.Next(10))
        {
            case 0 or 1 or 2:
            {
                var i = random.Next(RemoteObjects);
                using var get = await client.GetObjectAsync(Bucket, $"r{i}");
                return await Expect(get.ResponseStream, 0, Size(i), i, $"r{i}");
            }
            case 3:
            {
                var i = random.Next(RemoteObjects);
                var first = random.Next((int)Size(i) - 1);
                var last = Math.Min(Size(i) - 1, first + random.Next(1, 100_000));
                using var get = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = $"r{i}", ByteRange = new ByteRange(first, last) });
                return await Expect(get.ResponseStream, first, last - first + 1, i, $"r{i} {first}-{last}");
            }
            case 4 or 5:
            {
                var version = random.Next(1, 1_000_000);
                await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = own, InputStream = PatternData.Open(version % 65_536, version) });
                mine[own] = version;
                return version % 65_536;
            }
            case 6:
            {
                if (!mine.TryGetValue(own, out var version)) return 0;
                using var get = await client.GetObjectAsync(Bucket, own);
                return await Expect(get.ResponseStream, 0, version % 65_536, version, own);
            }
            case 7:
            {
                var list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = $"c{c}/" });
                var listed = (list.S3Objects ?? []).Select(o => o.Key).Order().ToArray();
                if (!listed.SequenceEqual(mine.Keys.Order())) throw new InvalidOperationException($"listed [{string.Join(",", listed)}], wrote [{string.Join(",", mine.Keys.Order())}]");
                return 0;
            }
            case 8:
            {
                await client.DeleteObjectAsync(Bucket, own);
                mine.Remove(own);
                return 0;
            }
            default:
            {
                var i = random.Next(RemoteObjects);
                var head = await client.GetObjectMetadataAsync(Bucket, $"r{i}");
                if (head.ContentLength != Size(i)) throw new InvalidOperationException($"HEAD r{i}: {head.ContentLength} bytes, not {Size(i)}");
                return 0;
            }
        }
    }

    private static async Task<long> Expect(Stream body, long offset, long length, int seed, string what) =>
        await PatternData.MismatchAsync(body, offset, length, seed) is { } wrong ? throw new InvalidOperationException($"{what}: {wrong}") : length;
}
