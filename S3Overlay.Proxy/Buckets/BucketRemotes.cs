using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;

namespace S3Overlay.Buckets;

/// <summary>
/// The overlay's remote when buckets have remotes of their own: each configured bucket reads from
/// its remote (its own endpoint and credentials), under its remote bucket and prefix; every other
/// bucket from the <c>S3_OVERLAY_REMOTE_*</c> remote, if there is one. The overlay asks it with the
/// local bucket's name (a configured bucket maps to itself), so caches and records of two
/// configured buckets never meet even where their remote buckets share a name. It is only read:
/// the overlay never writes to a remote.
/// </summary>
internal sealed class BucketRemotes : IReadOnlyStore, IDisposable
{
    private readonly IReadOnlyStore? _fallback;
    private readonly Dictionary<string, (S3ObjectStore Store, string Bucket, string Prefix)> _targets;

    /// <param name="fallback">The remote of buckets the configuration does not name; null when there is none.</param>
    public BucketRemotes(IReadOnlyStore? fallback, IEnumerable<BucketTarget> targets, TimeProvider clock)
    {
        _fallback = fallback;
        _targets = targets.Where(t => t.Remote is not null)
            .ToDictionary(t => t.Name, t => (new S3ObjectStore(t.Remote!, clock), t.RemoteBucket, t.RemotePrefix), StringComparer.Ordinal);
    }

    private (IReadOnlyStore Store, string Bucket, string Prefix) Route(string bucket) =>
        _targets.TryGetValue(bucket, out var target) ? target
        : _fallback is not null ? (_fallback, bucket, "")
        : throw StorageException.BucketNotFound(bucket);

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        _fallback?.ListBucketsAsync(ct) ?? Task.FromResult<IReadOnlyList<BucketInfo>>([]);

    public async Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        var (store, remoteBucket, _) = Route(bucket);
        return await store.GetBucketAsync(remoteBucket, ct) is { } found ? found with { Name = bucket } : null;
    }

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        var (store, remoteBucket, prefix) = Route(bucket);
        return Unprefixed(await store.HeadObjectAsync(remoteBucket, prefix + key, conditions, ct), prefix);
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        var (store, remoteBucket, prefix) = Route(bucket);
        var content = await store.GetObjectAsync(remoteBucket, prefix + key, request, ct);
        return prefix.Length == 0 ? content : new ObjectContent(Unprefixed(content.Info, prefix), content.Body, content.Range) { VerifiedBy = content.VerifiedBy };
    }

    public Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        var (store, remoteBucket, prefix) = Route(bucket);
        return store.GetObjectTaggingAsync(remoteBucket, prefix + key, ct);
    }

    /// <summary>A listing inside the prefix, its keys told without it.</summary>
    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        var (store, remoteBucket, prefix) = Route(bucket);
        if (prefix.Length == 0) return await store.ListObjectsAsync(remoteBucket, request, ct);
        var page = await store.ListObjectsAsync(remoteBucket, request with
        {
            Prefix = prefix + request.Prefix,
            StartAfter = request.StartAfter is null ? null : prefix + request.StartAfter,
        }, ct);
        return page with
        {
            Objects = page.Objects.Select(o => Unprefixed(o, prefix)).ToList(),
            CommonPrefixes = page.CommonPrefixes.Select(p => p[prefix.Length..]).ToList(),
            NextStartAfter = page.NextStartAfter?[prefix.Length..],
        };
    }

    private static ObjectInfo Unprefixed(ObjectInfo info, string prefix) =>
        prefix.Length > 0 && info.Key.StartsWith(prefix, StringComparison.Ordinal) ? info with { Key = info.Key[prefix.Length..] } : info;

    /// <summary>Every remote must answer (a wrong credential is still an answer: S3ObjectStore counts it reachable).</summary>
    public async Task CheckHealthAsync(CancellationToken ct)
    {
        if (_fallback is not null) await _fallback.CheckHealthAsync(ct);
        foreach (var (store, _, _) in _targets.Values) await store.CheckHealthAsync(ct);
    }

    public void Dispose()
    {
        foreach (var (store, _, _) in _targets.Values) store.Dispose();
        (_fallback as IDisposable)?.Dispose();
    }
}
