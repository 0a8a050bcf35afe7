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
/// listings and deletes, every body checked (<see cref="LoadClient"/>): their writes in the clear,
/// SSE-S3 (the proxy has a master key) or SSE-C; versions in a bucket that keeps them; and keys a
/// lifecycle rule expires a (two-second) day after they were written, as it does the noncurrent
/// versions under one prefix of the versioned bucket. No unexpected error, bounded memory, and once
/// the clients are gone no file descriptors or spill files left over, every expiring key gone and
/// the bucket holding exactly the rest. The cache is capped below what the remote objects take, so
/// eviction runs all along and GETs keep going cold (counted at the remote).
/// </summary>
[ReliabilityTests]
public sealed class LoadTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Bucket = LoadClient.Bucket;
    private const int RemoteObjects = LoadClient.RemoteObjects;
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
            await servers.RemoteClient.PutObjectAsync(new PutObjectRequest { BucketName = remoteBucket, Key = $"r{i}", InputStream = PatternData.Open(LoadClient.Size(i), i), UseChunkEncoding = false });
        await using var relay = await CountingRelay.StartAsync(servers.Remote.Url);
        var environment = ChildProxySettings.Overlay(root, relay.Url, Bucket, remoteBucket);
        environment["S3_OVERLAY_CACHE_MAX_BYTES"] = CacheCap.ToString();
        environment["S3_OVERLAY_KMS_SECRET_KEY"] = LoadEncryption.MasterKey;
        // A lifecycle day of two seconds, scanned every second: expiry runs all through the load.
        environment["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = LoadVersions.DaySeconds.ToString();
        environment["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1";
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
            await CreateBucketsAsync(client);
            var errors = new ConcurrentQueue<string>();
            long operations = 0, bytes = 0, slowDowns = 0;
            var tally = new LoadTally();
            var loaders = Enumerable.Range(0, clients).Select(c => new LoadClient(c, seed + c, tally)).ToArray();
            // The load lasts its length, and past it (up to a minute more) until it has exercised every kind it is
            // there to check: how many operations a length holds depends on the machine, what the test proves must not.
            async Task RunAsync(TimeSpan length, Func<bool> covered)
            {
                var clock = Stopwatch.StartNew();
                bool Going() => clock.Elapsed < length || (!covered() && clock.Elapsed < length + TimeSpan.FromMinutes(1));
                await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
                {
                    while (Going())
                    {
                        try
                        {
                            var started = Stopwatch.GetTimestamp();
                            Interlocked.Add(ref bytes, await loaders[c].OperateAsync(client));
                            sampler.Record(Stopwatch.GetElapsedTime(started));
                            Interlocked.Increment(ref operations);
                        }
                        // The fill limit's answer (S3_OVERLAY_MAX_FILLS, 64 fills at once: 256 clients reach it on a
                        // busy machine), which S3 clients retry: counted and reported, and the client goes on.
                        catch (AmazonS3Exception e) when (e.ErrorCode == "SlowDown" && e.Message.Contains("fetched from the remote", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref slowDowns);
                        }
                        catch (Exception e)
                        {
                            errors.Enqueue($"client {c}: {Describe(e)}");
                        }
                    }
                })));
            }

            // A warm-up first: the connection pools (clients to proxy, proxy to remote) are full
            // before the file descriptors are counted, so what grows after is a leak.
            await RunAsync(TimeSpan.FromSeconds(ReliabilityRun.Scale(1, 5)), covered: () => true);
            var baselineFds = proxy.OpenFileDescriptors;
            operations = bytes = slowDowns = 0;
            tally.Reset();
            relay.ResetCounts();
            var clock = Stopwatch.StartNew();
            using var sampling = new CancellationTokenSource();
            var sampled = soak > 0 ? sampler.RunAsync(sampling.Token) : Task.CompletedTask;
            await RunAsync(duration, covered: () => tally.EveryKind);
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
            // Every expiring key goes within a minute of its day (a scan a second), and nothing else: the bucket lists exactly the rest.
            var left = (await Task.WhenAll(loaders.Select(async (l, c) =>
            {
                try { return await l.ExpiredAfterTheLoadAsync(client, TimeSpan.FromSeconds(60)) ?? await l.NoncurrentExpiredAfterTheLoadAsync(client, TimeSpan.FromSeconds(60)); }
                catch (Exception e) { return $"client {c} after the load: {Describe(e)}"; }
            }))).Where(e => e is not null).ToList();
            var unexpected = await UnexpectedKeysAsync(client, loaders);
            var report = $"{clients} clients × {elapsed:0} s: {operations} operations ({operations / elapsed:0}/s, {bytes / elapsed / 1048576:0.0} MiB/s; {cold} remote GETs for cold reads, the cache capped at {CacheCap / 1024} KiB), peak RSS {peak:0} MiB, fds {baselineFds} → {fds}; " +
                         $"{tally.SealedReads} reads of SSE-S3 and SSE-C objects, {tally.VersionReads} versions read by id, {tally.Expired} objects and {tally.NoncurrentExpired} noncurrent versions expired by lifecycle; {slowDowns} reads answered 503 SlowDown by the fill limit";
            ReliabilityRun.Report("load", report, $"{errors.Count} unexpected errors, {spill} spill files left, {Math.Max(0, fds - baselineFds)} fds over the start; {left.Count} clients' after-load checks failed (an expiring key or noncurrent version left after its day, or a version that should stay gone), {unexpected.Count} keys listed that were not written or were expired");
            TestContext.Current.SendDiagnosticMessage(report);
            // A soak's samples are kept whatever it ends with: a failed hour still tells how memory went.
            if (soak > 0 && Environment.GetEnvironmentVariable("RELIABILITY_SOAK_RESULTS") is { Length: > 0 } rows) File.WriteAllLines(rows, sampler.Rows());
            var kinds = errors.GroupBy(e => e[(e.IndexOf(':') + 2)..]).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}");
            Assert.True(errors.IsEmpty, $"seed {seed}: {errors.Count} errors in {operations} operations, by kind:\n{string.Join("\n", kinds.Take(20))}");
            Assert.True(left.Count == 0, $"seed {seed}: {string.Join("\n", left.Take(10))}");
            Assert.True(unexpected.Count == 0, $"seed {seed}: the bucket lists what no client holds: {string.Join(", ", unexpected.Take(20))}");
            Assert.True(tally.EveryKind, $"seed {seed}: the load did not exercise encryption, versions and lifecycle: {report}");
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

    /// <summary>The versioned bucket and the lifecycle rules: objects under the expiring prefix, noncurrent versions under the versioned bucket's.</summary>
    private static async Task CreateBucketsAsync(AmazonS3Client client)
    {
        await client.PutBucketAsync(Bucket);
        await client.PutBucketAsync(LoadVersions.Bucket);
        await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            { BucketName = LoadVersions.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        await PutRuleAsync(client, Bucket, new LifecycleRule
        {
            Id = "expire", Status = LifecycleRuleStatus.Enabled, Expiration = new LifecycleRuleExpiration { Days = 1 },
            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = LoadClient.ExpiringPrefix } },
        });
        await PutRuleAsync(client, LoadVersions.Bucket, new LifecycleRule
        {
            Id = "noncurrent", Status = LifecycleRuleStatus.Enabled, NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1 },
            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = LoadVersions.ExpiringPrefix } },
        });
    }

    private static Task PutRuleAsync(AmazonS3Client client, string bucket, LifecycleRule rule) =>
        client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = new LifecycleConfiguration { Rules = [rule] } });

    /// <summary>Keys the whole bucket lists besides the remote's objects and what the clients hold (the expiring ones gone by now).</summary>
    private static async Task<List<string>> UnexpectedKeysAsync(AmazonS3Client client, LoadClient[] loaders)
    {
        var expected = loaders.SelectMany(l => l.Keys).Concat(Enumerable.Range(0, RemoteObjects).Select(i => $"r{i}")).ToHashSet(StringComparer.Ordinal);
        var listed = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            listed.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return listed.Where(k => !expected.Remove(k)).Concat(expected.Select(k => $"{k} (not listed)")).ToList();
    }

    /// <summary>An error by its type, and an S3 error by its status and code too (the SDK's message alone may not tell them).</summary>
    private static string Describe(Exception e) => e is AmazonS3Exception s3 ? $"{e.GetType().Name}: {(int)s3.StatusCode} {s3.ErrorCode}: {e.Message}" : $"{e.GetType().Name}: {e.Message}";

    private static int SpillFiles(string spillDir) => Directory.Exists(spillDir) ? Directory.GetFiles(spillDir, "*", SearchOption.AllDirectories).Length : 0;
}
