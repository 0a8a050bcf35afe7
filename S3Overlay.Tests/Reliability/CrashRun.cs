using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using ByteRange = Amazon.S3.Model.ByteRange;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// One crash run: the proxy as a child process (overlay with caching on, 64 KiB chunks, the
/// embedded store or an S3 server as its local store) takes PUTs, multipart completions, copies,
/// deletes and fills (whole and chunked) from many workers and is killed with SIGKILL at a random
/// moment, again and again. After each restart, before any request, the cache bookkeeping is read
/// from the local store (<see cref="CacheBookkeeping"/>); then every key is read back. What it
/// finds is sorted into lists; the tests decide which must be empty for which store.
/// With <c>background</c>, the kills also land in the overlay's own work: a cache cap keeps an
/// eviction running, a warm job runs through every round, and every other restart is killed
/// during its start-up reconcile (made long by units the index names and the store lacks).
/// With <c>versioned</c>, the bucket keeps versions (the remote's objects are then read through,
/// never stored) and encrypts by default (SSE-S3, the proxy given a master key): after each restart
/// every version listed is read back whole as well, and every key and version says it is sealed.
/// </summary>
public sealed class CrashRun
{
    private const string Bucket = "crash";
    private const string CacheBucket = "crash-cache";
    private const int Workers = 6;
    private const int KeysPerWorker = 4;
    public const int Sources = 3;
    private const long ChunkSize = 65_536;
    private const long Threshold = 131_072;
    // Under the remote objects' 430 KB: fills and warm jobs keep an eviction busy.
    private const long CacheCap = 200_000;
    private const string PhantomPrefix = "evicted-elsewhere-";

    private readonly RemoteObject[] _remoteObjects =
        [new("remote-whole", 100_000, 900), new("remote-small", 3_000, 902), new("remote-chunked", 5 * ChunkSize + 123, 901)];
    private readonly CrashLedger _ledger = new();
    private int _phantomUnits = 1_000;

    /// <summary>Keys lost, mixed, unreadable, or holding a version never written.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Keys holding the version in flight at the kill with other bytes: a write that was not atomic.</summary>
    public List<string> Torn { get; } = [];

    /// <summary>Keys whose bytes were kept but whose metadata was not.</summary>
    public List<string> MetadataLost { get; } = [];

    /// <summary>Temp files of the store and spill files of fills a restart found.</summary>
    public List<string> Leftovers { get; } = [];

    /// <summary>Cache bookkeeping that disagrees with what is stored.</summary>
    public List<string> Bookkeeping { get; } = [];

    public int CheckedKeys { get; private set; }

    /// <summary>Versions read back by their ids (a versioned run's), and how many of them were noncurrent.</summary>
    public int CheckedVersions { get; private set; }

    public int CheckedNoncurrent { get; private set; }

    private bool _versioned;
    public int StoredUnits { get; private set; }
    public int Unindexed { get; private set; }
    public int Unrecorded { get; private set; }
    public int Unfilled { get; private set; }
    public string SpillDir { get; private set; } = "";

    /// <summary>Restarts killed before their start-up reconcile had finished (its units still in the flushed index).</summary>
    public int ReconcileKills { get; private set; }

    /// <summary>Warm jobs started; the last, after every kill, must complete with no object failed.</summary>
    public int WarmJobs { get; private set; }

    public static async Task<CrashRun> RunAsync(OverlayServers servers, S3rverProcess? localS3, int kills, int seed, bool background = false, bool versioned = false)
    {
        var run = new CrashRun { _versioned = versioned };
        var root = Directory.CreateTempSubdirectory("s3overlay-crash-").FullName;
        try
        {
            await run.RunAsync(servers, localS3, root, kills, seed, background);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
        return run;
    }

    private async Task RunAsync(OverlayServers servers, S3rverProcess? localS3, string root, int kills, int seed, bool background)
    {
        var random = new Random(seed);
        var dataDir = Path.Combine(root, "data");
        SpillDir = Path.Combine(root, "spill");
        var remoteBucket = "crash" + Guid.NewGuid().ToString("N")[..8];
        await servers.RemoteClient.PutBucketAsync(remoteBucket);
        foreach (var o in _remoteObjects)
            o.ETag = (await servers.RemoteClient.PutObjectAsync(new PutObjectRequest { BucketName = remoteBucket, Key = o.Key, InputStream = PatternData.Open(o.Length, o.Seed), UseChunkEncoding = false })).ETag;
        await using var relay = await FaultRelay.StartAsync(servers.Remote.Url);
        var environment = ChildProxySettings.Overlay(root, relay.Url, Bucket, remoteBucket);
        environment["S3_OVERLAY_MULTIPART_MIN_PART_SIZE"] = "1";
        environment["S3_OVERLAY_CACHE_BUCKET"] = CacheBucket;
        // Flushed often, so the index has something to agree with after most kills.
        environment["S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"] = "0.3";
        foreach (var (name, value) in localS3?.User.AsLocalStore() ?? []) environment[name] = value!;
        if (background) environment["S3_OVERLAY_CACHE_MAX_BYTES"] = CacheCap.ToString();
        if (_versioned) environment["S3_OVERLAY_KMS_SECRET_KEY"] = LoadEncryption.MasterKey;
        for (var round = 0; round <= kills; round++)
        {
            var when = $"seed {seed}, after kill {round}";
            if (background && round % 2 == 1)
                await KillDuringReconcileAsync(environment, localS3, dataDir, remoteBucket, random);
            var restarting = DateTime.UtcNow;
            await using var proxy = await ProxyProcess.StartAsync(environment);
            if (round > 0)
            {
                // Files older than this start: a kill's. The overlay's start-up work (its hosted services)
                // may be writing already, and a write of this run has a temp file of its own while it lasts.
                Leftovers.AddRange(FilesLeft(localS3 is null ? dataDir : null, restarting).Select(f => $"{when}: left behind {f}"));
                // The index learns the fills its last flush missed from the start-up reconcile, which flushes it
                // (after a kill during a reconcile, it has thousands of units the store lacks to drop first).
                // The check reads the index's record, which lags a live eviction by a flush (the eviction
                // the reconcile's re-added units start deletes them before the next flush): it waits for
                // the proxy to settle, as the record must agree with the store once it has.
                using (var admin = new AdminHttp(proxy.Url))
                    await Polling.EventuallyAsync(async () => await admin.ReportAsync(Bucket) is var report
                        && report.GetProperty("reconciled").GetBoolean() && !report.GetProperty("evicting").GetBoolean() && report.GetProperty("indexSaved").GetBoolean(),
                        $"{when}: the index reconciled, no eviction running and the index saved", TimeSpan.FromSeconds(60));
                await CheckBookkeepingAsync(localS3, dataDir, remoteBucket, when, proxy);
            }
            using var client = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            if (round == 0) await SetUpAsync(client);
            await CheckAsync(client, when);
            if (round == kills)
            {
                if (background) await WarmToTheEndAsync(proxy, seed);
                break;
            }

            if (background) await StartWarmJobAsync(proxy);
            using var stop = new CancellationTokenSource();
            using var killing = new CancellationTokenSource();
            var work = Enumerable.Range(0, Workers).Select(w => WorkAsync(client, w, new Random(random.Next()), belowKeys: localS3 is null, killing.Token, stop.Token)).ToArray();
            await Task.Delay(random.Next(150, 1500));
            killing.Cancel();
            await proxy.KillAsync();
            stop.Cancel();
            foreach (var error in await Task.WhenAll(work))
                if (error is not null) Problems.Add($"seed {seed}, before kill {round + 1}: {error}; the proxy wrote:{Environment.NewLine}{proxy.RecentOutput}");
        }

        // Only the cache can answer now: whatever it kept of the remote objects must be right.
        relay.Plan = _ => new Fault(FaultKind.Status, Status: 503);
        await using var last = await ProxyProcess.StartAsync(environment);
        using var http = new HttpClient(new SigningHandler()) { BaseAddress = new Uri(last.Url + "/") };
        foreach (var o in _remoteObjects)
        {
            using var response = await http.GetAsync($"{Bucket}/{o.Key}");
            if (response.StatusCode != HttpStatusCode.OK) continue;
            if (await PatternData.MismatchAsync(await response.Content.ReadAsStreamAsync(), 0, o.Length, o.Seed) is { } wrong)
                Problems.Add($"seed {seed}: the cache served {o.Key} wrong: {wrong}");
        }
    }

    /// <summary>
    /// Starts the proxy over an index that names units the store lacks (as if another proxy evicted
    /// them), so its start-up reconcile has many to drop, and kills it at a random moment of that.
    /// A reconcile that ended before the kill (a fast machine, or a slow test process) is tried
    /// again with twice the units, a few times. The next start must reconcile again: the check
    /// after it finds any unit left.
    /// </summary>
    private async Task KillDuringReconcileAsync(Dictionary<string, string> environment, S3rverProcess? localS3, string dataDir, string remoteBucket, Random random)
    {
        for (var attempt = 0; attempt < 4; attempt++, _phantomUnits *= 2)
        {
            using (var local = OpenLocal(localS3, dataDir))
            {
                var index = await CacheBookkeeping.ReadIndexAsync(local.Store, CacheBucket);
                index.AddRange(Enumerable.Range(0, _phantomUnits).Select(i => new CacheEntry(CacheEntryKind.Chunks, remoteBucket, $"{PhantomPrefix}{i}", null, ChunkSize, 1, 0)));
                await CacheBookkeeping.WriteIndexAsync(local.Store, CacheBucket, index);
            }
            await using (var proxy = await ProxyProcess.StartAsync(environment))
            {
                // Once the index is loaded and its reconcile under way (as the report says), a moment later.
                using (var admin = new AdminHttp(proxy.Url))
                    if ((await admin.ReportAsync(Bucket)).GetProperty("reconciled").GetBoolean() == false)
                        await Task.Delay(random.Next(0, 50));
                await proxy.KillAsync();
            }
            using var after = OpenLocal(localS3, dataDir);
            if ((await CacheBookkeeping.ReadIndexAsync(after.Store, CacheBucket)).Any(e => e.Key.StartsWith(PhantomPrefix, StringComparison.Ordinal)))
            {
                ReconcileKills++;
                return;
            }
        }
    }

    /// <summary>The overlay's own work starts again after all the kills: a warm job runs to its end.</summary>
    private async Task WarmToTheEndAsync(ProxyProcess proxy, int seed)
    {
        var job = await StartWarmJobAsync(proxy);
        using var admin = new AdminHttp(proxy.Url);
        var state = default(JsonElement);
        await Polling.EventuallyAsync(async () => (state = (await admin.SendAsync(HttpMethod.Get, job)).Json).GetProperty("state").GetString() != "running", "the last warm job ended");
        if (state.GetProperty("state").GetString() != "completed" || state.GetProperty("objectsFailed").GetInt32() != 0)
            Problems.Add($"seed {seed}: the warm job after the last kill ended {state}");
    }

    /// <returns>The job's path in the admin API.</returns>
    private async Task<string> StartWarmJobAsync(ProxyProcess proxy)
    {
        using var admin = new AdminHttp(proxy.Url);
        var (status, started) = await admin.SendAsync(HttpMethod.Post, $"warm/{Bucket}");
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"a warm job was refused: {status} {started}");
        WarmJobs++;
        return $"jobs/{started.GetProperty("id").GetString()}";
    }

    /// <summary>The local store itself, read and written beside the proxy (the embedded store's folder, or the S3 server).</summary>
    private static LocalStore OpenLocal(S3rverProcess? localS3, string dataDir) => new(localS3 is null
        ? new FileSystemObjectStore(dataDir, TimeProvider.System)
        : new S3ObjectStore(new S3StoreOptions("local store", new Uri(localS3.Url), AccessKey: S3rverProcess.AccessKey, SecretKey: S3rverProcess.SecretKey)));

    private sealed record LocalStore(IObjectStore Store) : IDisposable
    {
        public void Dispose() => (Store as IDisposable)?.Dispose();
    }

    /// <param name="proxy">The proxy just restarted: what it logged goes with a broken promise (its reconcile's warnings say why).</param>
    private async Task CheckBookkeepingAsync(S3rverProcess? localS3, string dataDir, string remoteBucket, string when, ProxyProcess proxy)
    {
        using var local = OpenLocal(localS3, dataDir);
        var check = await CacheBookkeeping.CheckAsync(local.Store, Bucket, CacheBucket, remoteBucket, _remoteObjects, ChunkSize, Threshold, when);
        Bookkeeping.AddRange(check.Wrong);
        if (check.Wrong.Count > 0) Bookkeeping.Add($"{when}: the restarted proxy wrote:{Environment.NewLine}{proxy.RecentOutput}");
        StoredUnits += check.Stored;
        Unindexed += check.Unindexed;
        Unrecorded += check.Unrecorded;
        Unfilled += check.Unfilled;
    }

    private async Task SetUpAsync(AmazonS3Client client)
    {
        await client.PutBucketAsync(Bucket);
        if (_versioned)
        {
            await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
                { BucketName = Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
            // Every write sealed: a kill lands in encrypted PUTs, parts, completions and copies.
            await client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
            {
                BucketName = Bucket,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
                },
            });
        }
        for (var i = 0; i < Sources; i++)
        {
            // Versioned, each source has an older version too: every check reads noncurrent versions back.
            if (_versioned) await PutAsync(client, $"src-{i}", 2000 + i);
            var version = 1000 + i;
            _ledger.Begin($"src-{i}", version);
            await PutAsync(client, $"src-{i}", version);
            _ledger.Acked($"src-{i}");
        }
    }

    private static Task PutAsync(AmazonS3Client client, string key, int version, CancellationToken ct = default)
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = PatternData.Open(CrashLedger.LengthOf(version), version) };
        put.Metadata["v"] = version.ToString();
        return client.PutObjectAsync(put, ct);
    }

    /// <summary>One worker's writes on its own keys (so each key has one write in flight at most), and reads of the remote objects.</summary>
    /// <returns>Null, or the error the server gave before it was killed.</returns>
    /// <param name="belowKeys">
    /// Also a key below another and one with an empty segment: the embedded store keeps those in its
    /// own area whenever they cannot be plain files, and its crash guarantees must hold there too
    /// (s3rver cannot hold <c>a//b</c>).
    /// </param>
    private async Task<string?> WorkAsync(AmazonS3Client client, int worker, Random random, bool belowKeys, CancellationToken killing, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var n = random.Next(KeysPerWorker);
                var key = !belowKeys ? $"w{worker}-{n}" : (n % 3) switch { 0 => $"w{worker}-{n / 3}", 1 => $"w{worker}-{n / 3}/x", _ => $"w{worker}-{n / 3}//y" };
                var version = random.Next(1, int.MaxValue);
                switch (random.Next(6))
                {
                    case 0 or 1:
                        _ledger.Begin(key, version);
                        await PutAsync(client, key, version, stop);
                        break;
                    case 2:
                        _ledger.Begin(key, version);
                        await MultipartAsync(client, key, version, stop);
                        break;
                    case 3:
                        var source = random.Next(Sources);
                        _ledger.Begin(key, 1000 + source);
                        await client.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = $"src-{source}", DestinationBucket = Bucket, DestinationKey = key }, stop);
                        break;
                    case 4:
                        _ledger.Begin(key, null);
                        await client.DeleteObjectAsync(Bucket, key, stop);
                        break;
                    default:
                        var o = _remoteObjects[random.Next(_remoteObjects.Length)];
                        var first = random.Next((int)o.Length - 1);
                        using (var get = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = o.Key, ByteRange = new ByteRange(first, Math.Min(o.Length - 1, first + random.Next(1, 150_000))) }, stop))
                            await get.ResponseStream.CopyToAsync(Stream.Null, stop);
                        continue;
                }
                _ledger.Acked(key);
            }
        }
        catch (Exception) when (killing.IsCancellationRequested)
        {
            // The server was killed under the request: what it did is for the check after the restart to find.
        }
        catch (Exception e)
        {
            return $"worker {worker}: {e.GetType().Name}: {e.Message}";
        }
        return null;
    }

    private static async Task MultipartAsync(AmazonS3Client client, string key, int version, CancellationToken ct)
    {
        var length = CrashLedger.LengthOf(version);
        var start = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        start.Metadata["v"] = version.ToString();
        var upload = await client.InitiateMultipartUploadAsync(start, ct);
        var cut = length / 2;
        var etags = new List<PartETag>();
        foreach (var (number, offset, size) in new[] { (1, 0L, cut), (2, cut, length - cut) })
        {
            var body = new MemoryStream();
            await PatternData.Open(length, version).CopyToAsync(body, ct);
            var part = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number,
                InputStream = new MemoryStream(body.GetBuffer(), (int)offset, (int)size),
            }, ct);
            etags.Add(new PartETag(number, part.ETag));
        }
        await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = etags }, ct);
    }

    /// <summary>Reads every key the ledger knows, and the remote objects through the overlay.</summary>
    private async Task CheckAsync(AmazonS3Client client, string when)
    {
        if (_versioned) await CheckVersionsAsync(client, when);
        var keys = _ledger.Keys.ToArray();
        foreach (var key in keys)
        {
            int? found = null;
            // A key read broken: torn when a write to it was in flight at the kill (not atomic), lost otherwise.
            var broken = _ledger.InFlight(key) ? Torn : Problems;
            try
            {
                using var get = await client.GetObjectAsync(Bucket, key);
                if (!int.TryParse(get.Metadata["v"], out var version))
                {
                    MetadataLost.Add($"{when}: {key} has no version metadata");
                    await ForgetAsync(client, key);
                    continue;
                }
                if (await PatternData.MismatchAsync(get.ResponseStream, 0, CrashLedger.LengthOf(version), version) is { } wrong)
                {
                    broken.Add($"{when}: {key} says version {version} but its bytes are not: {wrong}");
                    await ForgetAsync(client, key);
                    continue;
                }
                found = version;
                if (_versioned && get.ServerSideEncryptionMethod != ServerSideEncryptionMethod.AES256) Problems.Add($"{when}: {key} version {version} is not sealed (x-amz-server-side-encryption {get.ServerSideEncryptionMethod})");
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }
            // The client checks a body against its MD5 ETag: bytes that are not the ETag's throw.
            catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or IOException)
            {
                broken.Add($"{when}: {key} could not be read: {e.GetType().Name}: {e.Message}");
                await ForgetAsync(client, key);
                continue;
            }
            if (!_ledger.Allows(key, found)) Problems.Add($"{when}: {key} is {(found is null ? "absent" : $"version {found}")}, which was neither acknowledged nor in flight");
            _ledger.Settle(key, found);
        }
        foreach (var o in _remoteObjects)
        {
            try
            {
                using var get = await client.GetObjectAsync(Bucket, o.Key);
                if (await PatternData.MismatchAsync(get.ResponseStream, 0, o.Length, o.Seed) is { } wrong) Problems.Add($"{when}: remote object {o.Key} read wrong: {wrong}");
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonClientException or IOException)
            {
                Problems.Add($"{when}: remote object {o.Key} could not be read: {e.GetType().Name}: {e.Message}");
            }
        }
        CheckedKeys += keys.Length + _remoteObjects.Length;
    }

    /// <summary>
    /// Every version of the ledger's keys the bucket lists, read by its id: exactly the bytes its
    /// metadata names (a version is written whole or not at all). Before the keys are settled, so a
    /// broken version of a key written at the kill counts as torn.
    /// </summary>
    private async Task CheckVersionsAsync(AmazonS3Client client, string when)
    {
        var request = new ListVersionsRequest { BucketName = Bucket };
        var keys = _ledger.Keys.ToHashSet();
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await client.ListVersionsAsync(request);
            foreach (var version in (page.Versions ?? []).Where(v => v.IsDeleteMarker != true && keys.Contains(v.Key)))
            {
                var broken = _ledger.InFlight(version.Key) ? Torn : Problems;
                try
                {
                    using var get = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId });
                    if (get.ServerSideEncryptionMethod != ServerSideEncryptionMethod.AES256) Problems.Add($"{when}: {version.Key} version {version.VersionId} is not sealed (x-amz-server-side-encryption {get.ServerSideEncryptionMethod})");
                    if (!int.TryParse(get.Metadata["v"], out var v)) MetadataLost.Add($"{when}: {version.Key} version {version.VersionId} has no version metadata");
                    else if (await PatternData.MismatchAsync(get.ResponseStream, 0, CrashLedger.LengthOf(v), v) is { } wrong)
                        broken.Add($"{when}: {version.Key} version {version.VersionId} says {v} but its bytes are not: {wrong}");
                }
                catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or IOException)
                {
                    broken.Add($"{when}: {version.Key} version {version.VersionId} is listed but could not be read: {e.GetType().Name}: {e.Message}");
                }
                CheckedVersions++;
                if (version.IsLatest != true) CheckedNoncurrent++;
            }
            if (page.IsTruncated != true) return;
            (request.KeyMarker, request.VersionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
        }
        Problems.Add($"{when}: the version listing never ended");
    }

    /// <summary>A key found broken is deleted, so the next rounds start it afresh (and do not count it again).</summary>
    private async Task ForgetAsync(AmazonS3Client client, string key)
    {
        await client.DeleteObjectAsync(Bucket, key);
        _ledger.Settle(key, null);
    }

    /// <summary>Temp files of the embedded store (none when the local store is an S3 server) and spill files of fills.</summary>
    /// <param name="before">Only files last written before this moment (the restart's): those a kill left.</param>
    private IEnumerable<string> FilesLeft(string? dataDir, DateTime before) =>
        (dataDir is null || !Directory.Exists(dataDir) ? [] : Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(dataDir, f).Split(Path.DirectorySeparatorChar).Contains("tmp")))
            .Concat(Directory.Exists(SpillDir) ? Directory.EnumerateFiles(SpillDir, "*", SearchOption.AllDirectories) : [])
            .Where(f => File.Exists(f) && File.GetLastWriteTimeUtc(f) < before);
}
