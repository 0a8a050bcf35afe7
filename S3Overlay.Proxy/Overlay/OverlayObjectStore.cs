using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Markers;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay: a local store in front of a remote one. Reads are served locally when they can
/// be and backfilled from the remote when they cannot; everything else is the local store's.
/// All state that must outlive the process or be shared between replicas (chunks, fill records,
/// whiteouts, the cache index) lives in the local store's cache bucket.
/// </summary>
/// <remarks>
/// This class only decides which part answers (its read path: OverlayObjectStore.Reads.cs; what
/// its writes share: OverlayObjectStore.Writes.cs): <see cref="RemoteSource"/> (the remote, its buckets and errors), <see cref="WholeObjectFills"/>, <see cref="ChunkedReads"/>,
/// <see cref="FillRecords"/> (fill records, revalidation), <see cref="MergedListing"/>,
/// <see cref="WhiteoutIndex"/> (deletes: OverlayObjectStore.Deletes.cs) and <see cref="CacheEvictor"/>, made by the container (<see cref="OverlayServices"/>) and handed over as <see cref="OverlayParts"/>.
/// </remarks>
internal sealed partial class OverlayObjectStore(OverlayParts parts) : IObjectStore, IDisposable
{
    private readonly IObjectStore _local = parts.Local;
    private readonly OverlaySettings _settings = parts.Settings;
    private readonly IDisposable _fillsObserved = parts.Metrics.ObserveFillsInFlight(() => parts.FillsInFlight);

    public void Dispose() => _fillsObserved.Dispose();

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        (await _local.ListBucketsAsync(ct)).Where(b => b.Name != _settings.CacheBucket).ToList();

    public async Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        if (bucket == _settings.CacheBucket) return null;
        // A bucket that exists only remotely is readable through the overlay, so it exists.
        return await _local.GetBucketAsync(bucket, ct) ?? await parts.Remote.GetBucketAsync(bucket, ct);
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) =>
        ReadingAsync(bucket, key, begun => NamingNullVersionAsync(bucket, () => HeadAsync(bucket, key, conditions, begun, ct), ct), () => parts.OutageReads.HeadAsync(bucket, key, conditions, ct));

    /// <summary>
    /// A read (<paramref name="read"/>, given when it began); when the local store is down and
    /// the remote is known to back the key, <paramref name="fromRemote"/> instead (<see cref="LocalOutageReads"/>).
    /// </summary>
    private async Task<T> ReadingAsync<T>(string bucket, string key, Func<long, Task<T>> read, Func<Task<T>> fromRemote)
    {
        Guard(bucket);
        var begun = parts.OutageReads.Known.Begin();
        try
        {
            return await read(begun);
        }
        catch (StorageException e) when (parts.OutageReads.CanAnswer(e, bucket, key))
        {
            return await fromRemote();
        }
    }

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        ReadingAsync(bucket, key, begun => NamingNullVersionAsync(bucket, () => GetAsync(bucket, key, request, begun, ct), ct), () => parts.OutageReads.GetAsync(bucket, key, request, ct));

    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        Guard(bucket);
        if (_settings.MergeListings && request.MaxKeys > 0) return await parts.Listing.ListAsync(bucket, request, ct);
        // The local store's own listing: its markers (whiteouts, chunk markers) are never objects.
        var page = await _local.ListObjectsAsync(bucket, request, ct);
        return parts.Whiteouts.RemoteBacked(bucket) ? page with { Objects = page.Objects.Where(o => !MarkerObject.IsAny(o)).ToList() } : page;
    }

    /// <remarks>A conditional write is decided against the merged view (<see cref="ConditionalWrites"/>).</remarks>
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        BecomingLocal(bucket, key);
        await EnsureLocalBucketAsync(bucket, ct);
        var written = await MakingRoomAsync(write.ContentLength, () => parts.Conditions.CommitAsync(Guard(bucket), key, write.Condition,
            sent => _local.PutObjectAsync(bucket, key, body, FillMetadata.FromClient(MarkerObject.FromClient(write)) with { OnlyIfAbsent = sent.OnlyIfAbsent, IfMatch = sent.IfMatch }, ct), ct));
        BecameLocal(bucket, key);
        return written;
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> completed,
        ObjectChecksum? expected, WriteCondition condition, CancellationToken ct)
    {
        BecomingLocal(bucket, key);
        var written = await MakingRoomAsync(null, () => parts.Conditions.CommitAsync(Guard(bucket), key, condition,
            sent => _local.CompleteMultipartUploadAsync(bucket, key, uploadId, completed, expected, sent, ct), ct));
        BecameLocal(bucket, key);
        return written;
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => _local.CreateBucketAsync(Guard(bucket), ct);

    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct)
    {
        await EnsureLocalBucketAsync(bucket, ct);
        return await _local.CreateMultipartUploadAsync(Guard(bucket), key, FillMetadata.FromClient(MarkerObject.FromClient(write)), ct);
    }

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) =>
        MakingRoomAsync(write.ContentLength, () => _local.UploadPartAsync(Guard(bucket), key, uploadId, partNumber, body, write, ct));

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        _local.AbortMultipartUploadAsync(Guard(bucket), key, uploadId, ct);

    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) =>
        _local.ListPartsAsync(Guard(bucket), key, uploadId, partNumberMarker, maxParts, ct);

    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) =>
        _local.ListMultipartUploadsAsync(Guard(bucket), request, ct);

    /// <summary>Bucket settings are local; a bucket that exists only remotely has none.</summary>
    public async Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct)
    {
        if (await _local.GetBucketAsync(Guard(bucket), ct) is null) return await GetBucketAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : null;
        return await _local.GetBucketSettingAsync(bucket, name, ct);
    }

    public async Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct)
    {
        if (await GetBucketAsync(Guard(bucket), ct) is null) throw StorageException.BucketNotFound(bucket);
        await parts.LocalBuckets.EnsureAsync(bucket, ct);
        await _local.PutBucketSettingAsync(bucket, name, value, ct);
    }

    /// <summary>Checks both stores and names the one that fails (reads of cached objects go on with the remote down).</summary>
    public async Task CheckHealthAsync(CancellationToken ct)
    {
        await CheckPartAsync("local store", _local.CheckHealthAsync, ct);
        await CheckPartAsync("remote store", parts.Remote.CheckHealthAsync, ct);
    }

    private static async Task CheckPartAsync(string part, Func<CancellationToken, Task> check, CancellationToken ct)
    {
        try
        {
            await check(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The overlay's {part} is unhealthy: {e.Message}", e);
        }
    }

    /// <summary>The cache bucket is the overlay's own: clients can neither read nor change it.</summary>
    private string Guard(string bucket) =>
        bucket == _settings.CacheBucket ? throw new StorageException(StorageFault.AccessDenied, bucket) : bucket;
}
