using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Admin;

/// <summary>
/// Prefetches in the background: lists a prefix on the remote, then reads every object through
/// the store S3 requests use, decorators included (so it is filled exactly as a client's read
/// would fill it, coalesced with theirs, and hidden objects stay hidden).
/// Jobs live in this proxy's memory; the most recent ones stay visible after they finish.
/// </summary>
internal sealed class WarmJobs(IObjectStore store, RemoteSource remote, CacheIndex cache, TimeProvider clock, ILogger<WarmJobs> logger) : IDisposable
{
    private const int KeptJobs = 100;

    /// <summary>A few objects at a time: enough to hide the remote's latency, few enough to leave room for clients.</summary>
    private const int Parallelism = 4;

    private readonly ConcurrentDictionary<string, WarmJob> _jobs = new();
    private readonly CancellationTokenSource _stopping = new();

    public WarmJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <param name="key">One key to warm (not the keys it is a prefix of); null warms all of <paramref name="prefix"/>.</param>
    public WarmJob Start(string bucket, string prefix, string? key = null)
    {
        var job = new WarmJob(Guid.NewGuid().ToString("N")[..16], bucket, key ?? prefix, key, clock.GetUtcNow());
        _jobs[job.Id] = job;
        foreach (var old in _jobs.Values.OrderByDescending(j => j.Started).Skip(KeptJobs).Where(j => j.Finished is not null))
            _jobs.TryRemove(old.Id, out _);
        _ = Task.Run(() => RunAsync(job, _stopping.Token));
        return job;
    }

    private async Task RunAsync(WarmJob job, CancellationToken ct)
    {
        try
        {
            var objects = await ListRemoteAsync(job, ct);
            job.Listed(objects.Count);
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (remote, c) => await WarmOneAsync(job, remote, c));
            job.Finish(clock.GetUtcNow());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Warming {Bucket}/{Prefix} failed", job.Bucket, job.Prefix);
            job.Finish(clock.GetUtcNow(), e.Message);
        }
    }

    private async Task<List<ObjectInfo>> ListRemoteAsync(WarmJob job, CancellationToken ct)
    {
        if (remote.BucketOf(job.Bucket) is null)
            throw new InvalidOperationException($"No remote bucket the overlay may read backs {job.Bucket} (see {Configuration.Catalog.RemoteCatalog.BucketMapping} and {Configuration.Catalog.RemoteCatalog.RemoteBuckets}).");
        var objects = new List<ObjectInfo>();
        string? after = null;
        while (true)
        {
            var page = await remote.ListAsync(job.Bucket, new ListRequest(job.Prefix, StartAfter: after, MaxKeys: job.Key is null ? 1000 : 1), ct)
                ?? throw new InvalidOperationException($"The remote has no bucket behind {job.Bucket}.");
            objects.AddRange(job.Key is null ? page.Objects : page.Objects.Where(o => o.Key == job.Key));
            // The key sorts first among the keys it is a prefix of: one page says whether it is there.
            if (!page.IsTruncated || job.Key is not null) return objects;
            after = page.NextStartAfter;
        }
    }

    private async Task WarmOneAsync(WarmJob job, ObjectInfo remote, CancellationToken ct)
    {
        if (cache.Find(new CacheEntryId(CacheEntryKind.Object, job.Bucket, remote.Key)) is { } cached && cached.ETag == remote.ETag)
        {
            job.ObjectDone(remote.Size);
            return;
        }
        try
        {
            await using var content = await store.GetObjectAsync(job.Bucket, remote.Key, ObjectReadRequest.Whole, ct);
            job.ObjectDone(await DrainAsync(content.Body, ct));
        }
        catch (StorageException e) when (e.Fault == StorageFault.ObjectNotFound)
        {
            job.ObjectSkipped(); // deleted here (its whiteout hides it), hidden, or gone from the remote since the listing
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            job.ObjectFailed(remote.Key, e.Message);
        }
    }

    private static async Task<long> DrainAsync(Stream body, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0) total += read;
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
