using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.S3;

/// <summary>
/// A store on any S3-compatible server (MinIO, AWS, R2, s3rver, ...) through AWSSDK.S3: the
/// local store when one is configured, and the remote the overlay reads from. Bodies stream both
/// ways; ETag, Last-Modified and checksums a writer asks to keep are kept as reserved metadata.
/// </summary>
internal sealed partial class S3ObjectStore : IObjectStore, IReadOnlyStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly DirectReads _direct;
    private readonly TimeProvider _clock;
    private readonly StoreOutage _outage;

    // Buckets an answer has shown to exist. A HEAD's 404 has no body to tell a missing key from a
    // missing bucket, and asking the server (HeadBucket) after every miss doubled the cost of each
    // lookup of a key that is not there, which the overlay makes on every cold read.
    private readonly KnownBuckets _known = new();

    public S3ObjectStore(S3StoreOptions options, TimeProvider? clock = null)
    {
        Options = options;
        _clock = clock ?? TimeProvider.System;
        _outage = new StoreOutage(options, _clock);
        var http = new StreamingHttpClientFactory(options.Endpoint, options.ConnectTimeout);
        _client = S3ClientFactory.Create(options, http);
        _direct = new DirectReads(options, http.Client);
    }

    public S3StoreOptions Options { get; }

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var response = await CallAsync(null, null, t => _client.ListBucketsAsync(new ListBucketsRequest(), t), ct);
        return (response.Buckets ?? [])
            .Where(b => b.BucketName != SettingsBucket)
            .Select(b => new BucketInfo(b.BucketName, PreservedMetadata.ToOffset(b.CreationDate)))
            .OrderBy(b => b.Name, Utf8Order.Instance)
            .ToList();
    }

    public async Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        if (!await BucketExistsAsync(bucket, ct)) return null;
        // HEAD says nothing of the creation date; credentials that may not list buckets get the epoch.
        try
        {
            var listed = await ListBucketsAsync(ct);
            return listed.FirstOrDefault(b => b.Name == bucket) ?? new BucketInfo(bucket, DateTimeOffset.UnixEpoch);
        }
        catch (StorageException e) when (e.Fault == StorageFault.StoreFailed)
        {
            return new BucketInfo(bucket, DateTimeOffset.UnixEpoch);
        }
    }

    private async Task<bool> BucketExistsAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await CallAsync(bucket, null, t => _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, t), ct);
            return true;
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
        {
            return false;
        }
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => CreateBucketAsync(bucket, objectLock: false, ct);

    /// <summary>With <paramref name="objectLock"/>, the server's own Object Lock (it turns versioning on).</summary>
    public async Task CreateBucketAsync(string bucket, bool objectLock, CancellationToken ct)
    {
        // S3 in us-east-1 (and this proxy) answer 200 to an owner re-creating a bucket: ask first to keep the seam's answer.
        if (await BucketExistsAsync(bucket, ct)) throw new StorageException(StorageFault.BucketExists, bucket);
        var request = new PutBucketRequest { BucketName = bucket, UseClientRegion = false, ObjectLockEnabledForBucket = objectLock ? true : null };
        if (Options.BucketLocation is { } location && location != "us-east-1")
            request.BucketRegionName = location;
        try
        {
            await CallAsync(bucket, null, t => _client.PutBucketAsync(request, t), ct);
        }
        // Servers that answer BucketAlreadyExists to their own owner (s3rver) say what S3 says to an owner.
        catch (StorageException e) when (e.Fault == StorageFault.BucketNameTaken)
        {
            if (await BucketExistsAsync(bucket, ct)) throw new StorageException(StorageFault.BucketExists, bucket, inner: e);
            throw;
        }
    }

    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        await CallAsync(bucket, null, t => _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, t), ct);
        _known.Forget(bucket);
        await DeleteBucketSettingsAsync(bucket, ct);
    }

    // Under the health check's own 5 s bound (Telemetry/), so a silent server is reported as this
    // store's failure, by name, rather than as an anonymous timeout of the whole check (seen).
    private TimeSpan HealthTimeout => Options.RequestTimeout < TimeSpan.FromSeconds(4) ? Options.RequestTimeout : TimeSpan.FromSeconds(4);

    /// <summary>Healthy when the server answers at all (an answer such as 403 still proves it is there).</summary>
    public async Task CheckHealthAsync(CancellationToken ct)
    {
        try
        {
            await CallAsync(null, null, t => _client.ListBucketsAsync(new ListBucketsRequest(), t), ct, HealthTimeout);
        }
        catch (StorageException e) when (!e.IsStoreSide || e.Fault == StorageFault.StoreFailed)
        {
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Runs one SDK call (or direct read) for <paramref name="bucket"/> and <paramref name="key"/>,
    /// the only target its requests may name (<see cref="RequestTarget"/>), with a bound on waiting
    /// for its answer (not on streaming a body read afterwards), and translates what it throws.
    /// The caller's own cancellation passes through. A store held as down fails it at once (<see cref="StoreOutage"/>).
    /// </summary>
    /// <param name="timeout">The bound on waiting for the answer; infinite for calls a server may take long over (copies, completions).</param>
    /// <param name="upload">The body the call sends: the server's waits are bounded around it (<see cref="ServerWaitBound"/>) instead of by <paramref name="timeout"/>.</param>
    /// <param name="condition">A write's condition the server checks with its commit: a 5xx answer may be a race it lost (<see cref="LostRaceAsync"/>).</param>
    private async Task<T> CallAsync<T>(string? bucket, string? key, Func<CancellationToken, Task<T>> call, CancellationToken ct, TimeSpan? timeout = null, UploadBody? upload = null,
        ServerCondition condition = default)
    {
        RequestTarget.Refuse(key);
        RequestTarget.Declare(bucket, key);
        _outage.ThrowIfHeld();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (upload is not null) upload.Bound(bounded, timeout ?? Options.RequestTimeout);
        else if (timeout != Timeout.InfiniteTimeSpan) bounded.CancelAfter(timeout ?? Options.RequestTimeout);
        T result;
        try
        {
            result = await call(bounded.Token);
        }
        // Once the caller has cancelled, what the call throws passes as it is, but for an answer the
        // server gave (a 404 as the host stops): that is the store's answer, in the store's words.
        catch (Exception e) when (!ct.IsCancellationRequested || e is Amazon.Runtime.AmazonServiceException { StatusCode: not 0 })
        {
            var translated = S3ErrorTranslation.Translate(e, Options, bucket, key, timedOut: bounded.IsCancellationRequested);
            if (condition.Any && S3ErrorTranslation.AnsweredStatus(e) is >= 500 and < 600 and var status && await LostRaceAsync(bucket!, key!, condition, ct))
                translated = new StorageException(StorageFault.PreconditionFailed, key,
                    $"At least one of the preconditions you specified did not hold: the object changed while the write was made (the {Options.Describe()} answered {status}).", translated);
            if (bucket is not null && translated is StorageException { Fault: StorageFault.BucketNotFound }) _known.Forget(bucket);
            // A body that failed is the client's trouble, and says nothing of the server.
            if (upload is not { Failed: true }) _outage.Note(translated, S3ErrorTranslation.AnsweredStatus(e));
            throw translated;
        }
        _outage.Note(null);
        if (bucket is not null) _known.Saw(bucket);
        return result;
    }
}
