using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Keys;
using S3Overlay.Overlay.Listing;
using S3Overlay.Overlay.Markers;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Versions;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay: a local store in front of a remote one. Reads are served locally when they can
/// be and backfilled from the remote when they cannot; everything else is the local store's.
/// All state that must outlive the process or be shared between replicas (chunks, fill records,
/// whiteouts, the cache index) lives in the local store's cache bucket.
/// </summary>
/// <remarks>
/// This class only decides which part answers, each made once by the container
/// (<see cref="OverlayServices"/>): <see cref="OverlayReads"/> (HEAD and GET), <see cref="MergedBuckets"/>,
/// <see cref="MergedListing"/>, <see cref="ConditionalWrites"/>, <see cref="WhiteoutDeletes"/>, and
/// for a bucket the remote backs that keeps versions <see cref="StackedVersions"/>
/// (OverlayObjectStore.Versions.cs). The cache bucket is the overlay's own: every request names
/// a bucket, and that one is refused here, before any part is asked.
/// </remarks>
internal sealed partial class OverlayObjectStore([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings,
    MergedBuckets buckets, LocalBuckets localBuckets, RemoteSource remote, OverlayReads reads, MergedListing listing, WhiteoutIndex whiteouts,
    ConditionalWrites conditions, ClientWrites writes, CacheEvictor evictor, WhiteoutDeletes deletes, LocalVersioning versioning, StackedVersions stacked)
    : IObjectStore
{
    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) => buckets.ListAsync(ct);

    public Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct) => buckets.GetAsync(bucket, ct);

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) =>
        reads.HeadAsync(Guard(bucket), key, conditions, ct);

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        reads.GetAsync(Guard(bucket), key, request, ct);

    /// <summary>The merged view's answer to a HEAD, null where that is a 404 (a key deleted here, or in neither store).</summary>
    public Task<ObjectInfo?> FindObjectAsync(string bucket, string key, CancellationToken ct) =>
        NullIfMissingAsync(() => HeadObjectAsync(bucket, key, ReadConditions.None, ct));

    /// <summary>The merged view's answer to a GET, null where that is a 404.</summary>
    public Task<ObjectContent?> TryGetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        NullIfMissingAsync(() => GetObjectAsync(bucket, key, request, ct));

    private static async Task<T?> NullIfMissingAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }

    public async Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        Guard(bucket);
        if (settings.MergeListings && request.MaxKeys > 0) return await listing.ListAsync(bucket, request, ct);
        // The local store's own listing: its markers (whiteouts, chunk markers) are never objects.
        var page = await local.ListObjectsAsync(bucket, request, ct);
        return whiteouts.RemoteBacked(bucket) ? page with { Objects = page.Objects.Where(o => !MarkerObject.IsAny(o)).ToList() } : page;
    }

    /// <remarks>A conditional write is decided against the merged view (<see cref="ConditionalWrites"/>).</remarks>
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        writes.Starting(bucket, key);
        await EnsureLocalBucketAsync(bucket, ct);
        var written = await MakingRoomAsync(write.ContentLength, () => conditions.CommitAsync(Guard(bucket), key, write.Condition,
            sent => local.PutObjectAsync(bucket, key, body, FillMetadata.FromClient(MarkerObject.FromClient(write)) with { OnlyIfAbsent = sent.OnlyIfAbsent, IfMatch = sent.IfMatch }, ct), ct));
        writes.Done(bucket, key);
        return written;
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> completed,
        ObjectChecksum? expected, WriteCondition condition, CancellationToken ct)
    {
        writes.Starting(bucket, key);
        var written = await MakingRoomAsync(null, () => conditions.CommitAsync(Guard(bucket), key, condition,
            sent => local.CompleteMultipartUploadAsync(bucket, key, uploadId, completed, expected, sent, ct), ct));
        writes.Done(bucket, key);
        return written;
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => local.CreateBucketAsync(Guard(bucket), ct);

    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct)
    {
        await EnsureLocalBucketAsync(bucket, ct);
        return await local.CreateMultipartUploadAsync(Guard(bucket), key, FillMetadata.FromClient(MarkerObject.FromClient(write)), ct);
    }

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) =>
        MakingRoomAsync(write.ContentLength, () => local.UploadPartAsync(Guard(bucket), key, uploadId, partNumber, body, write, ct));

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        local.AbortMultipartUploadAsync(Guard(bucket), key, uploadId, ct);

    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) =>
        local.ListPartsAsync(Guard(bucket), key, uploadId, partNumberMarker, maxParts, ct);

    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) =>
        local.ListMultipartUploadsAsync(Guard(bucket), request, ct);

    /// <inheritdoc cref="WhiteoutDeletes.WhiteOutAsync"/>
    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct) => deletes.WhiteOutAsync(Guard(bucket), key, ObjectDelete.Plain, ct);

    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => deletes.DeleteBucketAsync(Guard(bucket), ct);

    /// <summary>Bucket settings are local; a bucket that exists only remotely has none.</summary>
    public async Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct)
    {
        if (await local.GetBucketAsync(Guard(bucket), ct) is null) return await GetBucketAsync(bucket, ct) is null ? throw StorageException.BucketNotFound(bucket) : null;
        return await local.GetBucketSettingAsync(bucket, name, ct);
    }

    public async Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct)
    {
        if (await GetBucketAsync(Guard(bucket), ct) is null) throw StorageException.BucketNotFound(bucket);
        await localBuckets.EnsureAsync(bucket, ct);
        await local.PutBucketSettingAsync(bucket, name, value, ct);
    }

    // Tags are written locally; a remote-only object's tags are the remote's.
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        var legacyPending = whiteouts.Legacy.Pending;
        if (!await ChunkMarkedAsync(Guard(bucket), key, ct))
        {
            try
            {
                return await local.GetObjectTaggingAsync(bucket, key, ct);
            }
            catch (StorageException e) when (LocalBuckets.IsMiss(e))
            {
                // Not held locally: the remote's tags, unless it was deleted here.
            }
        }
        await whiteouts.Legacy.RefuseAsync(bucket, key, legacyPending, record: null, ct);
        return await remote.GetTaggingAsync(bucket, key, ct);
    }

    // A remote-only object (one cached in chunks too) has no local object to hold them: NoSuchKey, as the local store answers.
    public async Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (await ChunkMarkedAsync(Guard(bucket), key, ct)) throw StorageException.ObjectNotFound(key);
        await local.PutObjectTaggingAsync(bucket, key, tags, ct);
    }

    public async Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct)
    {
        if (await ChunkMarkedAsync(Guard(bucket), key, ct)) throw StorageException.ObjectNotFound(key);
        await local.PutObjectAclAsync(bucket, key, acl, ct);
    }

    /// <summary>Checks both stores and names the one that fails (reads of cached objects go on with the remote down).</summary>
    public async Task CheckHealthAsync(CancellationToken ct)
    {
        await CheckPartAsync("local store", local.CheckHealthAsync, ct);
        await CheckPartAsync("remote store", remote.CheckHealthAsync, ct);
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

    /// <summary>
    /// Whether the key holds the marker of an object cached in chunks (no local object), looked
    /// at for requests about the object (one look more, for those only); a whiteout there answers NoSuchKey.
    /// </summary>
    private async Task<bool> ChunkMarkedAsync(string bucket, string key, CancellationToken ct)
    {
        if (!whiteouts.RemoteBacked(bucket) || await local.FindObjectAsync(bucket, key, ct) is not { } held) return false;
        if (WhiteoutMarker.IsMarker(held)) throw StorageException.ObjectNotFound(key);
        return Chunks.ChunkMarkers.IsMarker(held);
    }

    /// <summary>
    /// A client's write the local store had no room for is answered so (507), and the cache makes
    /// room for it to be tried again: what came from the remote can be fetched again, what clients
    /// write cannot (<see cref="CacheEvictor.MakeRoom"/>).
    /// </summary>
    /// <param name="bytes">What the write needed, when known.</param>
    private async Task<T> MakingRoomAsync<T>(long? bytes, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (StorageException e) when (e.Fault == StorageFault.StoreFull)
        {
            evictor.MakeRoom(bytes ?? 0);
            throw;
        }
    }

    /// <summary>
    /// A client's first write into a bucket only the remote has: the bucket is made locally, as a
    /// fill makes it. The merged view shows that bucket (HEAD, GET, listings), so a write into it
    /// must not answer NoSuchBucket. Made before the write, since a body cannot be sent twice.
    /// </summary>
    private async Task EnsureLocalBucketAsync(string bucket, CancellationToken ct)
    {
        if (remote.BucketOf(Guard(bucket)) is null || localBuckets.IsKnown(bucket)) return;
        if (await GetBucketAsync(bucket, ct) is not null) await localBuckets.EnsureAsync(bucket, ct);
    }

    /// <summary>The cache bucket is the overlay's own: clients can neither read nor change it.</summary>
    private string Guard(string bucket) =>
        bucket == settings.CacheBucket ? throw new StorageException(StorageFault.AccessDenied, bucket) : bucket;
}
