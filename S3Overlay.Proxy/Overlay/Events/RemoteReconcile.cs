using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Markers;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// Events lost (sent while the overlay was down, or while its channel to the broker was broken)
/// leave no stale copy behind: this walks what the local store holds of each bucket the remote
/// backs beside one listing of the remote bucket (a request per thousand keys), both in key
/// order, and drops every cached copy, whole or chunked, whose ETag the remote no longer lists.
/// </summary>
/// <remarks>
/// A local key whose listed ETag is the remote's is current, as the fill stored it. One whose ETag
/// differs (or that the remote lacks) is looked at: only a copy the overlay filled is dropped
/// (what clients wrote here stays). An event applied while this runs may find a newer copy than the
/// listing's, which this then drops too: the next read fetches it again, never an old one.
/// </remarks>
internal sealed class RemoteReconcile(RemoteSource remote, RemoteEventApplier applier, CacheEvictor evictor, FillRecords records,
    [FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings, EventStatistics statistics, ILogger<RemoteReconcile> logger)
{
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <returns>The cached copies dropped.</returns>
    public async Task<long> RunAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            using var span = OverlayTelemetry.Source.StartActivity(OverlayTelemetry.Spans.RemoteReconcile);
            long dropped = 0;
            var remoteBuckets = new HashSet<string>();
            foreach (var bucket in await local.ListBucketsAsync(ct))
            {
                if (bucket.Name == settings.CacheBucket || remote.BucketOf(bucket.Name) is not { } remoteBucket) continue;
                remoteBuckets.Add(remoteBucket);
                dropped += await ReconcileBucketAsync(bucket.Name, remoteBucket, ct);
            }
            foreach (var remoteBucket in remoteBuckets) dropped += await ReconcileManifestsAsync(remoteBucket, ct);
            span?.SetTag(OverlayTelemetry.Tags.Dropped, dropped);
            statistics.CountReconcile(dropped);
            if (dropped > 0) logger.LogInformation("Reconciled the cache with the remote: {Dropped} copies the remote has replaced or removed are dropped", dropped);
            return dropped;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<long> ReconcileBucketAsync(string bucket, string remoteBucket, CancellationToken ct)
    {
        long dropped = 0;
        await using var remoteKeys = Keys(remoteBucket, (request, c) => remote.ListRemoteAsync(remoteBucket, request, c), ct).GetAsyncEnumerator(ct);
        var remoteMore = await remoteKeys.MoveNextAsync();
        await foreach (var held in Keys(bucket, local.ListObjectsAsync, ct))
        {
            if (MarkerObject.IsAny(held)) continue;
            while (remoteMore && string.CompareOrdinal(remoteKeys.Current.Key, held.Key) < 0) remoteMore = await remoteKeys.MoveNextAsync();
            var listed = remoteMore && remoteKeys.Current.Key == held.Key ? remoteKeys.Current : null;
            if (listed is not null && ReadConditions.Unquote(listed.ETag) == ReadConditions.Unquote(held.ETag)) continue;
            var now = new RemoteEvent(remoteBucket, held.Key, Removed: listed is null, listed is null ? null : ReadConditions.Unquote(listed.ETag), null, "Reconcile", null);
            if (await applier.HoldsOtherThanAsync(bucket, now, ct) && await DropAsync(bucket, held.Key, ct)) dropped++;
        }
        return dropped;
    }

    /// <summary>
    /// The objects cached in chunks (their manifests in the cache bucket), each asked of the remote
    /// with a conditional HEAD: a manifest's key order is not the remote's (its suffix sorts after a
    /// slash), and objects over the chunk threshold are few.
    /// </summary>
    private async Task<long> ReconcileManifestsAsync(string remoteBucket, CancellationToken ct)
    {
        long dropped = 0;
        if (remote.LocalBucketsOf(remoteBucket).FirstOrDefault() is not { } reader) return 0;
        await foreach (var manifest in Keys(settings.CacheBucket, local.ListObjectsAsync, ct, CacheKeys.ManifestPrefix + remoteBucket + "/"))
        {
            if (CacheKeys.ParseManifest(manifest.Key) is not { } named || named.RemoteBucket != remoteBucket) continue;
            if (await records.ReadAsync(remoteBucket, named.Key, ct) is not { IsChunked: true } record) continue;
            bool changed;
            try
            {
                changed = await remote.ChangedSinceAsync(reader, named.Key, record.ETag, ct) is not null;
            }
            catch (Storage.Errors.StorageException e) when (e.Fault is Storage.Errors.StorageFault.ObjectNotFound or Storage.Errors.StorageFault.BucketNotFound)
            {
                changed = true;
            }
            if (!changed) continue;
            foreach (var bucket in remote.LocalBucketsOf(remoteBucket))
                if (await DropAsync(bucket, named.Key, ct)) dropped++;
        }
        return dropped;
    }

    private async Task<bool> DropAsync(string bucket, string key, CancellationToken ct)
    {
        var evicted = await evictor.EvictKeyAsync(bucket, key, ct);
        return evicted.Objects + evicted.ChunkedObjects > 0;
    }

    /// <summary>Every object of a bucket (under a prefix), page after page, in key order.</summary>
    private static async IAsyncEnumerable<ObjectInfo> Keys(string bucket, Func<string, ListRequest, CancellationToken, Task<ListPage>> list,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, string prefix = "")
    {
        string? after = null;
        do
        {
            ListPage page;
            try
            {
                page = await list(bucket, new ListRequest(prefix, null, after, 1000), ct);
            }
            catch (Storage.Errors.StorageException e) when (e.Fault == Storage.Errors.StorageFault.BucketNotFound)
            {
                yield break;
            }
            foreach (var entry in page.Objects) yield return entry;
            after = page.IsTruncated ? page.NextStartAfter : null;
        }
        while (after is not null);
    }

    private static IAsyncEnumerable<ObjectInfo> Keys(string remoteBucket, Func<ListRequest, CancellationToken, Task<ListPage>> list, CancellationToken ct) =>
        Keys(remoteBucket, (_, request, c) => list(request, c), ct);
}
