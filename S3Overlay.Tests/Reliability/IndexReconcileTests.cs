using Amazon.S3.Model;
using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Admin;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// Issue 16's crash run found fills stored after the eviction index's last flush lost to it once
/// the proxy was killed: never counted against the cap, never evicted. The restarted proxy
/// reconciles the index with what is stored; this kills a proxy whose index was never flushed.
/// </summary>
public sealed class IndexReconcileTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Bucket = "reconcile";
    private const string CacheBucket = "reconcile-cache";
    private const long ChunkSize = 65_536;

    [Fact]
    public async Task Fills_never_flushed_to_the_index_are_counted_and_evictable_after_a_kill()
    {
        var root = Directory.CreateTempSubdirectory("s3overlay-reconcile-").FullName;
        try
        {
            var remoteBucket = "reconcile" + Guid.NewGuid().ToString("N")[..8];
            await servers.RemoteClient.PutBucketAsync(remoteBucket);
            var objects = new (string Key, long Length)[] { ("whole", 3_000), ("chunked", 3 * ChunkSize + 10) };
            foreach (var (key, length) in objects)
                await servers.RemoteClient.PutObjectAsync(new PutObjectRequest { BucketName = remoteBucket, Key = key, InputStream = PatternData.Open(length, 7), UseChunkEncoding = false });
            var environment = ChildProxySettings.Overlay(root, servers.Remote.Url, Bucket, remoteBucket);
            environment["S3_OVERLAY_CACHE_BUCKET"] = CacheBucket;
            // Never flushed while the test runs: only the reconcile can tell the next run of these fills.
            environment["S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"] = "3600";
            var store = new FileSystemObjectStore(Path.Combine(root, "data"), TimeProvider.System);

            await using (var first = await ProxyProcess.StartAsync(environment))
            {
                using var client = S3Clients.Create(first.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
                foreach (var (key, _) in objects)
                {
                    using var response = await client.GetObjectAsync(Bucket, key);
                    await response.ResponseStream.CopyToAsync(Stream.Null);
                }
                using var admin = new AdminHttp(first.Url);
                // The fills store in the background: wait until the index counts every chunk and both records are written.
                await Polling.EventuallyAsync(async () =>
                    (await admin.ReportAsync(Bucket)).GetProperty("chunks").GetInt32() == 4
                    && await FillRecord.ReadAsync(store, CacheBucket, remoteBucket, "whole", CancellationToken.None) is not null
                    && await FillRecord.ReadAsync(store, CacheBucket, remoteBucket, "chunked", CancellationToken.None) is not null,
                    "both fills stored and recorded");
                await first.KillAsync();
            }

            await using var second = await ProxyProcess.StartAsync(environment);
            using var restarted = new AdminHttp(second.Url);
            await Polling.EventuallyAsync(async () => (await restarted.ReportAsync(Bucket)).GetProperty("reconciled").GetBoolean(), "the index reconciled");
            var report = await restarted.ReportAsync(Bucket);
            Assert.Equal(2, report.GetProperty("objects").GetInt32());
            Assert.Equal(4, report.GetProperty("chunks").GetInt32());
            Assert.Equal(objects.Sum(o => o.Length), report.GetProperty("bytes").GetInt64());
            Assert.Equal(objects.Sum(o => o.Length), report.GetProperty("cacheBytes").GetInt64());

            // Eviction by prefix goes by the index alone: it removes what the reconcile added.
            var (_, evicted) = await restarted.SendAsync(HttpMethod.Delete, $"cache/{Bucket}?prefix=");
            Assert.Equal(2, evicted.GetProperty("evicted").GetProperty("objects").GetInt32());
            await Assert.ThrowsAsync<S3Overlay.S3.Errors.S3Exception>(() => store.HeadObjectAsync(Bucket, "whole", ReadConditions.None, CancellationToken.None));
            Assert.Empty((await store.ListObjectsAsync(CacheBucket, new ListRequest(CacheKeys.ChunkPrefix), CancellationToken.None)).Objects);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
