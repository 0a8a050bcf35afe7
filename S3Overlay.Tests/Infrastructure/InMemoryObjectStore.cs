using System.Collections.Concurrent;
using System.Security.Cryptography;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A throwaway store for unit-testing the overlay's edge cases without servers (the functional
/// tests prove the same behaviour over HTTP with real stores). Holds bodies in memory: test sizes only.
/// </summary>
internal sealed class InMemoryObjectStore : IObjectStore, IReadOnlyStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (ObjectInfo Info, byte[] Body)>> _buckets = new();

    public int Gets;
    public int Heads;
    public int BucketLookups;
    public long BytesServed;
    /// <summary>When set, every object call throws it (a remote that is down or broken).</summary>
    public Exception? Failure;
    /// <summary>When set, every PutObject throws it (a write the store refuses: a full disk, a moment's 503).</summary>
    public Exception? WriteFailure;
    /// <summary>Delays each GET's first byte, so concurrent readers overlap.</summary>
    public TimeSpan GetDelay;

    public void Put(string bucket, string key, byte[] body, ObjectMetadata? metadata = null, DateTimeOffset? lastModified = null)
    {
        var etag = "\"" + Convert.ToHexStringLower(MD5.HashData(body)) + "\"";
        _buckets.GetOrAdd(bucket, _ => new())[key] = (new ObjectInfo(key, body.Length, etag, lastModified ?? DateTimeOffset.UtcNow, metadata ?? ObjectMetadata.Empty), body);
    }

    public bool Contains(string bucket, string key) => _buckets.TryGetValue(bucket, out var b) && b.ContainsKey(key);
    public IEnumerable<string> Keys(string bucket) => _buckets.TryGetValue(bucket, out var b) ? b.Keys : [];

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BucketInfo>>(_buckets.Keys.Order(StringComparer.Ordinal).Select(b => new BucketInfo(b, DateTimeOffset.UnixEpoch)).ToList());

    public Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        Interlocked.Increment(ref BucketLookups);
        return Task.FromResult(_buckets.ContainsKey(bucket) ? new BucketInfo(bucket, DateTimeOffset.UnixEpoch) : null);
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        if (!_buckets.TryAdd(bucket, new())) throw new StorageException(StorageFault.BucketExists);
        return Task.CompletedTask;
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken ct) { _buckets.TryRemove(bucket, out _); return Task.CompletedTask; }

    /// <summary>Runs after a HEAD has found its answer and before it is given (a lookup a write overtakes).</summary>
    public Func<string, Task>? HeadAnswering;

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        Interlocked.Increment(ref Heads);
        var answer = FindOrMiss(bucket, key);
        if (HeadAnswering is { } hook) await hook(key);
        var (info, _) = await answer; // a miss throws here, after the hook
        conditions.Evaluate(info);
        return info;
    }

    private Task<(ObjectInfo, byte[])> FindOrMiss(string bucket, string key)
    {
        try { return Task.FromResult(Find(bucket, key)); }
        catch (Exception e) { return Task.FromException<(ObjectInfo, byte[])>(e); }
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        Interlocked.Increment(ref Gets);
        if (GetDelay > TimeSpan.Zero) await Task.Delay(GetDelay, ct);
        var (info, body) = Find(bucket, key);
        request.Conditions.Evaluate(info);
        ResolvedRange? range = request.Range is { } r ? r.Resolve(info.Size) ?? throw StorageException.RangeNotSatisfiable(info.Size) : null;
        var offset = (int)(range?.Offset ?? 0);
        var length = (int)(range?.Length ?? info.Size);
        Interlocked.Add(ref BytesServed, length);
        return new ObjectContent(info, new MemoryStream(body, offset, length, writable: false), range);
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        if (WriteFailure is not null) throw WriteFailure;
        if (!_buckets.TryGetValue(bucket, out var objects)) throw StorageException.BucketNotFound(bucket);
        var copy = new MemoryStream();
        await body.CopyToAsync(copy, ct);
        var bytes = copy.ToArray();
        if (write.ContentLength is { } n && n != bytes.Length) throw new StorageException(StorageFault.IncompleteBody);
        if (write.ContentMD5 is { } md5 && md5 != Convert.ToBase64String(MD5.HashData(bytes))) throw new StorageException(StorageFault.DigestMismatch);
        var etag = write.ETag ?? "\"" + Convert.ToHexStringLower(MD5.HashData(bytes)) + "\"";
        var info = new ObjectInfo(key, bytes.Length, etag, write.LastModified ?? DateTimeOffset.UtcNow, write.Metadata);
        objects[key] = (info, bytes);
        return info;
    }

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        if (_buckets.TryGetValue(bucket, out var objects)) objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private (ObjectInfo, byte[]) Find(string bucket, string key)
    {
        if (Failure is not null) throw Failure;
        if (!_buckets.TryGetValue(bucket, out var objects)) throw StorageException.BucketNotFound(bucket);
        return objects.TryGetValue(key, out var found) ? found : throw StorageException.ObjectNotFound(key);
    }

    public Task<IReadOnlyDictionary<string, string>> GetObjectTaggingAsync(string bucket, string key, CancellationToken ct) =>
        Task.FromResult(Find(bucket, key).Item1.Metadata.Tags);

    public Task PutObjectAclAsync(string bucket, string key, string? acl, CancellationToken ct)
    {
        var (info, body) = Find(bucket, key);
        _buckets[bucket][key] = (info with { Metadata = info.Metadata with { Acl = acl } }, body);
        return Task.CompletedTask;
    }

    public Task<string?> GetBucketSettingAsync(string bucket, string name, CancellationToken ct) => throw new NotSupportedException();
    public Task PutBucketSettingAsync(string bucket, string name, string? value, CancellationToken ct) => throw new NotSupportedException();

    public Task PutObjectTaggingAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var (info, body) = Find(bucket, key);
        _buckets[bucket][key] = (info with { Metadata = info.Metadata with { Tags = tags } }, body);
        return Task.CompletedTask;
    }

    /// <summary>A flat listing (no delimiter), enough for what the overlay lists at start.</summary>
    public Task<ListPage> ListObjectsAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (request.Delimiter is { Length: > 0 }) throw new NotSupportedException();
        if (Failure is not null) throw Failure;
        if (!_buckets.TryGetValue(bucket, out var objects)) throw StorageException.BucketNotFound(bucket);
        var keys = objects.Keys.Where(k => k.StartsWith(request.Prefix ?? "", StringComparison.Ordinal)
            && (request.StartAfter is null || string.CompareOrdinal(k, request.StartAfter) > 0)).Order(StringComparer.Ordinal).ToList();
        var page = keys.Take(request.MaxKeys).Select(k => objects[k].Info).ToList();
        var truncated = keys.Count > page.Count;
        return Task.FromResult(new ListPage(page, [], truncated, truncated ? page[^1].Key : null));
    }
    public Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWrite write, CancellationToken ct) => throw new NotSupportedException();
    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWrite write, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectChecksum? expected, WriteCondition condition, CancellationToken ct) => throw new NotSupportedException();
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw new NotSupportedException();
    public Task<PartsPage> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker, int maxParts, CancellationToken ct) => throw new NotSupportedException();
    public Task<UploadsPage> ListMultipartUploadsAsync(string bucket, UploadsRequest request, CancellationToken ct) => throw new NotSupportedException();
    public Task CheckHealthAsync(CancellationToken ct) => Task.CompletedTask;
}
