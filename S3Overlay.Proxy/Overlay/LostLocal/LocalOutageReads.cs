using S3Overlay.Configuration;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage.S3;

namespace S3Overlay.Overlay.LostLocal;

/// <summary>
/// Reads that go on while the local store is down (docs/overlay.md, "A lost local store"): an object the
/// remote is known to back (<see cref="RemoteBackedKeys"/>) streams from the remote, stored
/// nowhere. Every other read keeps the local store's 503: the key may be a client's object or a
/// deleted one, and the remote's answer could be a wrong body or an object come back.
/// </summary>
internal sealed class LocalOutageReads(RemoteBackedKeys known, CacheIndex cache, RemoteSource remote, WholeObjectFills fills)
{
    public RemoteBackedKeys Known => known;

    /// <summary>Whether the local store failed by being down (no answer, no connection, 5xx), not by answering about the request.</summary>
    public static bool IsLocalOutage(Exception e) => e is StorageException { UnreachableStore: LocalStoreSettings.StoreName };

    /// <summary>Whether a read that failed with <paramref name="e"/> can be answered from the remote.</summary>
    public bool CanAnswer(Exception e, string bucket, string key) => IsLocalOutage(e) && known.Contains(bucket, key);

    /// <summary>A read found a local object: the remote's only if it is the copy the cache index says was filled.</summary>
    public void FoundLocally(string bucket, string key, ObjectInfo info, long begun)
    {
        if (cache.Find(new CacheEntryId(CacheEntryKind.Object, bucket, key)) is { } filled && filled.ETag == info.ETag)
            known.Learn(bucket, key, begun);
        else
            known.Drop(bucket, key);
    }

    public Task<ObjectContent> GetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        fills.StreamAsync(bucket, key, request, ct);

    public async Task<ObjectInfo> HeadAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        var info = await remote.HeadAsync(bucket, key, ct);
        conditions.Evaluate(info);
        return info;
    }
}
