using Amazon.S3.Model;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Overlay.Records;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Fills stored after the eviction index's last flush are lost to it once the proxy is killed
/// (never counted against the cap, never evicted) unless the index is reconciled. The restarted proxy
/// reconciles the index with what is stored; these kill a proxy whose index is behind the store.
/// </summary>
[ReliabilityTests]
public sealed class IndexReconcileTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Bucket = "reconcile";
    private const string CacheBucket = "reconcile-cache";
    private const long ChunkSize = 65_536;
    private static readonly (string Key, long Length)[] Objects = [("whole", 3_000), ("chunked", 3 * ChunkSize + 10)];

    [Fact]
    public async Task Fills_never_flushed_to_the_index_are_counted_and_evictable_after_a_kill()
    {
        using var world = await World.StartAsync(servers, flushSeconds: 3600);
        // Never flushed while the test runs: only the reconcile can tell the next run of these fills.
        await world.FillAndKillAsync(untilFlushed: false);

        await using var second = await ProxyProcess.StartAsync(world.Environment);
        using var restarted = await ReconciledAsync(second);
        var report = await restarted.ReportAsync(Bucket);
        Assert.Equal(2, report.GetProperty("objects").GetInt32());
        Assert.Equal(4, report.GetProperty("chunks").GetInt32());
        Assert.Equal(Objects.Sum(o => o.Length), report.GetProperty("bytes").GetInt64());
        Assert.Equal(Objects.Sum(o => o.Length), report.GetProperty("cacheBytes").GetInt64());

        // Eviction by prefix goes by the index alone: it removes what the reconcile added.
        var (_, evicted) = await restarted.SendAsync(HttpMethod.Delete, $"cache/{Bucket}?prefix=");
        Assert.Equal(2, evicted.GetProperty("evicted").GetProperty("objects").GetInt32());
        await Assert.ThrowsAsync<StorageException>(() => world.Store.HeadObjectAsync(Bucket, "whole", ReadConditions.None, CancellationToken.None));
        Assert.Empty((await world.Store.ListObjectsAsync(CacheBucket, new ListRequest(CacheKeys.ChunkPrefix), CancellationToken.None)).Objects);
    }

    /// <summary>
    /// An eviction deletes a chunked object's manifest, then its chunks one by one: killed between
    /// two deletes, it leaves fewer chunks than the flushed index counts. The reconcile counts what
    /// is stored (the crash run's bookkeeping check found the index counting 4 chunks over 2).
    /// </summary>
    [Fact]
    public async Task Chunks_an_eviction_killed_midway_left_are_counted_as_stored_after_a_restart()
    {
        using var world = await World.StartAsync(servers, flushSeconds: 0.2);
        await world.FillAndKillAsync(untilFlushed: true);
        var remoteBucket = world.RemoteBucket;
        await world.Store.DeleteObjectAsync(CacheBucket, CacheKeys.Manifest(remoteBucket, "chunked"), CancellationToken.None);
        var chunks = (await world.Store.ListObjectsAsync(CacheBucket, new ListRequest(CacheKeys.ChunksOf(remoteBucket, "chunked")), CancellationToken.None)).Objects;
        foreach (var chunk in chunks.Take(2))
            await world.Store.DeleteObjectAsync(CacheBucket, chunk.Key, CancellationToken.None);
        var left = chunks.Skip(2).ToList();

        await using var second = await ProxyProcess.StartAsync(world.Environment);
        using var restarted = await ReconciledAsync(second);
        var report = await restarted.ReportAsync(Bucket);
        Assert.Equal(left.Count, report.GetProperty("chunks").GetInt32());
        Assert.Equal(3_000 + left.Sum(c => c.Size), report.GetProperty("cacheBytes").GetInt64());
        // The reconcile's flush writes the lower count, not the record's larger one merged back.
        var flushed = (await world.ReadIndexAsync()).Single(e => e.Kind == CacheEntryKind.Chunks);
        Assert.Equal((left.Count, left.Sum(c => c.Size)), (flushed.Chunks, flushed.Size));
    }

    /// <summary>
    /// The index counts stores of chunks, not chunk numbers, so a chunk stored again after an
    /// eviction raced its fill is counted twice; the full crash run found the index at 2 chunks of
    /// 131,072 bytes over 2 stored of 65,659. The reconcile makes the unit what is stored.
    /// </summary>
    [Fact]
    public async Task An_index_counting_other_chunk_bytes_than_are_stored_is_corrected_after_a_restart()
    {
        using var world = await World.StartAsync(servers, flushSeconds: 0.2);
        await world.FillAndKillAsync(untilFlushed: true);
        var index = await world.ReadIndexAsync();
        var chunked = index.Single(e => e.Kind == CacheEntryKind.Chunks);
        index[index.IndexOf(chunked)] = chunked with { Size = chunked.Size + ChunkSize };
        await CacheBookkeeping.WriteIndexAsync(world.Store, CacheBucket, index);

        await using var second = await ProxyProcess.StartAsync(world.Environment);
        using var restarted = await ReconciledAsync(second);
        Assert.Equal(Objects.Sum(o => o.Length), (await restarted.ReportAsync(Bucket)).GetProperty("cacheBytes").GetInt64());
        var flushed = (await world.ReadIndexAsync()).Single(e => e.Kind == CacheEntryKind.Chunks);
        Assert.Equal((chunked.Chunks, chunked.Size), (flushed.Chunks, flushed.Size));
    }

    private static async Task<AdminHttp> ReconciledAsync(ProxyProcess proxy)
    {
        var admin = new AdminHttp(proxy.Url);
        await Polling.EventuallyAsync(async () => (await admin.ReportAsync(Bucket)).GetProperty("reconciled").GetBoolean(), "the index reconciled");
        return admin;
    }

    /// <summary>A remote bucket with a whole and a chunked object, and a child proxy's settings over it and an embedded store of its own.</summary>
    private sealed class World(string root, string remoteBucket, Dictionary<string, string> environment) : IDisposable
    {
        public string RemoteBucket => remoteBucket;
        public Dictionary<string, string> Environment => environment;
        public FileSystemObjectStore Store { get; } = new(Path.Combine(root, "data"), TimeProvider.System);

        public static async Task<World> StartAsync(OverlayServers servers, double flushSeconds)
        {
            var root = Directory.CreateTempSubdirectory("s3overlay-reconcile-").FullName;
            var remoteBucket = "reconcile" + Guid.NewGuid().ToString("N")[..8];
            await servers.RemoteClient.PutBucketAsync(remoteBucket);
            foreach (var (key, length) in Objects)
                await servers.RemoteClient.PutObjectAsync(new PutObjectRequest { BucketName = remoteBucket, Key = key, InputStream = PatternData.Open(length, 7), UseChunkEncoding = false });
            var environment = ChildProxySettings.Overlay(root, servers.Remote.Url, Bucket, remoteBucket);
            environment["S3_OVERLAY_CACHE_BUCKET"] = CacheBucket;
            environment["S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"] = flushSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new World(root, remoteBucket, environment);
        }

        /// <summary>Fills both objects through a proxy, waits until both are stored and recorded (the whole one's record in its copy; the index flushed with them), and kills it.</summary>
        public async Task FillAndKillAsync(bool untilFlushed)
        {
            await using var first = await ProxyProcess.StartAsync(environment);
            using var client = S3Clients.Create(first.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            foreach (var (key, _) in Objects)
            {
                using var response = await client.GetObjectAsync(Bucket, key);
                await response.ResponseStream.CopyToAsync(Stream.Null);
            }
            using var admin = new AdminHttp(first.Url);
            // The fills store in the background: wait until the index counts every chunk and both records are written.
            await Polling.EventuallyAsync(async () =>
                (await admin.ReportAsync(Bucket)).GetProperty("chunks").GetInt32() == 4
                && await Store.FindObjectAsync(Bucket, "whole", CancellationToken.None) is { } whole && FillMetadata.RecordOf(whole) is not null
                && await FillRecord.ReadAsync(Store, CacheBucket, remoteBucket, "chunked", CancellationToken.None) is not null
                && (!untilFlushed || (await ReadIndexAsync()).Sum(e => e.Chunks) == 4),
                "both fills stored and recorded");
            await first.KillAsync();
        }

        public Task<List<CacheEntry>> ReadIndexAsync() => CacheBookkeeping.ReadIndexAsync(Store, CacheBucket);

        public void Dispose()
        {
            Store.Dispose();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
