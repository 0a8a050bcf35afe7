using System.Diagnostics;
using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay: a local store in front of a remote one. Reads are served locally when they can
/// be and backfilled from the remote when they cannot; everything else is the local store's.
/// All state that must outlive the process or be shared between replicas (chunks, manifests,
/// fill records) lives in the local store's cache bucket; what is kept here is only a cache of it.
/// </summary>
/// <remarks>
/// Split by concern: reads and whole-object fills (<c>.Reads.cs</c>), chunked objects
/// (<c>.Chunks.cs</c>), revalidation (<c>.Revalidation.cs</c>), writes, deletes and whiteouts
/// (<c>.Whiteouts.cs</c>), merged listings (<c>.Listing.cs</c>). This file: the pass-through
/// operations and the cache bucket's protection.
/// </remarks>
public sealed partial class OverlayObjectStore : IObjectStore, IDisposable
{
    private readonly IObjectStore _local;
    private readonly IObjectStore _remote;
    private readonly OverlaySettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly NegativeLookupCache _missing;
    private readonly SingleFlight<(string Bucket, string Key)> _objectFills;
    private readonly SingleFlight<string> _chunkFills;
    private readonly IDisposable _fillsObserved;
    private readonly WhiteoutIndex _whiteouts;

    public OverlayObjectStore(IObjectStore local, IObjectStore remote, OverlaySettings settings, TimeProvider clock, ILogger<OverlayObjectStore> logger)
    {
        _local = local;
        _remote = remote;
        _settings = settings;
        _clock = clock;
        _logger = logger;
        _missing = new NegativeLookupCache(settings.NegativeLookupTtl, clock);
        _objectFills = new SingleFlight<(string, string)>(settings.SpillDirectory);
        _chunkFills = new SingleFlight<string>(settings.SpillDirectory);
        _fillsObserved = OverlayTelemetry.ObserveFillsInFlight(() => FillsInFlight);
        _whiteouts = new WhiteoutIndex(local, settings.CacheBucket);
        Cache = new CacheIndex(local, settings.CacheBucket, clock, logger);
    }

    public void Dispose() => _fillsObserved.Dispose();

    public IObjectStore Local => _local;
    public IObjectStore Remote => _remote;
    public OverlaySettings Settings => _settings;

    /// <summary>The keys deleted through the overlay that the remote must not bring back (admin API: list and clear).</summary>
    public WhiteoutIndex Whiteouts => _whiteouts;

    /// <summary>Fills in flight now: whole objects and chunks (for status reports).</summary>
    public int FillsInFlight => _objectFills.Count + _chunkFills.Count;

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        (await _local.ListBucketsAsync(ct)).Where(b => b.Name != _settings.CacheBucket).ToList();

    public async Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        if (bucket == _settings.CacheBucket) return null;
        if (await _local.GetBucketAsync(bucket, ct) is { } local) return local;
        // A bucket that exists only remotely is readable through the overlay, so it exists.
        try
        {
            return await _remote.GetBucketAsync(_settings.Mapping.RemoteBucketOf(bucket), ct) is { } remote
                ? remote with { Name = bucket }
                : null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw RemoteErrors.Map(e, bucket, "");
        }
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => _local.CreateBucketAsync(Guard(bucket), ct);
    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => _local.DeleteBucketAsync(Guard(bucket), ct);

    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) =>
        _local.CreateMultipartUploadAsync(Guard(bucket), key, write, ct);

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) =>
        _local.UploadPartAsync(Guard(bucket), key, uploadId, partNumber, body, write, ct);

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        _local.AbortMultipartUploadAsync(Guard(bucket), key, uploadId, ct);

    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) =>
        _local.ListPartsAsync(Guard(bucket), key, uploadId, partNumberMarker, maxParts, ct);

    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) =>
        _local.ListMultipartUploadsAsync(Guard(bucket), request, ct);

    // pass-through (S3 breadth): tags are written locally; a remote-only object's tags are the remote's.
    public async Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await _local.GetObjectTaggingAsync(Guard(bucket), key, ct);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            await HeadObjectAsync(bucket, key, ReadConditions.None, ct); // NoSuchKey unless the remote has it (and no whiteout hides it)
            try { return await _remote.GetObjectTaggingAsync(_settings.Mapping.RemoteBucketOf(bucket), key, ct); }
            catch (Exception remote) when (remote is not OperationCanceledException || !ct.IsCancellationRequested) { throw RemoteErrors.Map(remote, bucket, key); }
        }
    }

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        _local.PutObjectTaggingAsync(Guard(bucket), key, tags, ct);

    public Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct) => _local.PutObjectAclAsync(Guard(bucket), key, acl, ct);

    /// <summary>Bucket settings are local; a bucket that exists only remotely has none.</summary>
    public async Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct)
    {
        if (await _local.GetBucketAsync(Guard(bucket), ct) is null) return await GetBucketAsync(bucket, ct) is null ? throw S3Exception.NoSuchBucket(bucket) : null;
        return await _local.GetBucketSettingAsync(bucket, name, ct);
    }

    public async Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct)
    {
        if (await GetBucketAsync(Guard(bucket), ct) is null) throw S3Exception.NoSuchBucket(bucket);
        await EnsureLocalBucketAsync(bucket, ct);
        await _local.PutBucketSettingAsync(bucket, name, value, ct);
    }

    /// <summary>Checks both stores and names the one that fails (reads of cached objects go on with the remote down).</summary>
    public async Task CheckHealthAsync(CancellationToken ct)
    {
        await CheckPartAsync("local store", _local, ct);
        await CheckPartAsync("remote store", _remote, ct);
    }

    private static async Task CheckPartAsync(string part, IObjectStore store, CancellationToken ct)
    {
        try
        {
            await store.CheckHealthAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The overlay's {part} is unhealthy: {e.Message}", e);
        }
    }

    /// <summary>The cache bucket is the overlay's own: clients can neither read nor change it.</summary>
    private string Guard(string bucket) =>
        bucket == _settings.CacheBucket ? throw new S3Exception(S3Error.AccessDenied, bucket) : bucket;

    private static bool IsMiss(S3Exception e) => e.Error.Status == 404;

    private static Activity? StartSpan(string name, string bucket, string key)
    {
        var span = OverlayTelemetry.Source.StartActivity(name);
        span?.SetTag(OverlayTelemetry.Tags.Bucket, bucket);
        span?.SetTag(OverlayTelemetry.Tags.Key, key);
        return span;
    }

    /// <summary>A reader that joined a fill in flight gets a span of its own (the fill's span is the leader's).</summary>
    private static Activity? JoinerSpan(string name, string bucket, string key, bool joined) =>
        joined ? StartSpan(name, bucket, key)?.SetTag(OverlayTelemetry.Tags.Coalesced, true) : null;

    private static void Count(string result) =>
        OverlayTelemetry.Requests.Add(1, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Result, result));

    private static ResolvedRange? Resolve(ByteRange? range, long size) =>
        range is null ? null : range.Value.Resolve(size) ?? throw S3Exception.InvalidRange(size);

    /// <summary>Creates a local bucket the first time something is filled into it.</summary>
    private Task EnsureLocalBucketAsync(string bucket, CancellationToken ct) => EnsureBucketAsync(_local, bucket, ct);

    internal static async Task EnsureBucketAsync(IObjectStore store, string bucket, CancellationToken ct)
    {
        if (await store.GetBucketAsync(bucket, ct) is not null) return;
        try
        {
            await store.CreateBucketAsync(bucket, ct);
        }
        catch (S3Exception e) when (e.Error.Status == 409)
        {
            // Another fill (or another replica) created it first.
        }
    }
}
