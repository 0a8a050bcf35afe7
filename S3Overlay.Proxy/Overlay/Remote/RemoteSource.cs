using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// The one way to the remote store: which remote bucket backs a local bucket (the mapping),
/// whether the overlay may read it at all (the allow-list), the "not found" answers remembered
/// for a while, and what a remote failure looks like to a client. Every part of the overlay
/// names local buckets; only this class and the cache keys know remote ones.
/// </summary>
internal sealed class RemoteSource([FromKeyedServices(OverlayServices.RemoteStore)] IReadOnlyStore remote, OverlaySettings settings, TimeProvider clock, OverlayMetrics metrics)
{
    private readonly NegativeLookupCache _missing = new(settings.NegativeLookupTtl, clock, staleIfError: settings.StaleIfError);
    private readonly RemoteListingCache _listings = new(settings.ListingCacheTtl, settings.StaleIfError, clock);

    /// <summary>The remote bucket behind a local one; null when the overlay may not read it (a local-only bucket).</summary>
    public string? BucketOf(string localBucket)
    {
        var remoteBucket = settings.Mapping.RemoteBucketOf(localBucket);
        return settings.RemoteBuckets.Allows(remoteBucket) ? remoteBucket : null;
    }

    /// <summary>Whether the remote backs a local bucket: a bucket it does not has nothing to hide, and nothing filled to reconcile.</summary>
    public bool Backs(string localBucket) => BucketOf(localBucket) is not null;

    /// <summary>
    /// The remote bucket behind a local one, or NoSuchKey without asking the remote: for a
    /// local-only bucket, and for a key with <c>.</c> or <c>..</c> segments, which the remote (or
    /// anything in front of it) may resolve to another key, in a bucket the mapping does not open,
    /// or under a hidden prefix or a whiteout (<see cref="DotSegments"/>).
    /// </summary>
    private string RequireBucketOf(string bucket, string key) =>
        BucketOf(bucket) is { } remoteBucket && !DotSegments.In(key) ? remoteBucket : throw Missing(bucket, key);

    /// <summary>The remote bucket, renamed as the local one; null when it is not there (or not the overlay's to read).</summary>
    public async Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        if (BucketOf(bucket) is not { } remoteBucket) return null;
        try
        {
            return await remote.GetBucketAsync(remoteBucket, ct) is { } found ? found with { Name = bucket } : null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            CountError(e);
            throw RemoteErrors.Map(e, bucket, "");
        }
    }

    public bool IsKnownMissing(string bucket, string key) =>
        BucketOf(bucket) is not { } remoteBucket || DotSegments.In(key) || _missing.IsKnownMissing(remoteBucket, key);

    /// <summary>The key exists now (a fill stored it): a "not found" remembered for it is wrong.</summary>
    public void Forget(string bucket, string key)
    {
        if (BucketOf(bucket) is { } remoteBucket) _missing.Forget(remoteBucket, key);
    }

    /// <summary>
    /// The local buckets that read <paramref name="remoteBucket"/>: those the mapping points at it,
    /// and the remote bucket's own name unless the mapping sends that elsewhere; none when the
    /// overlay may not read it.
    /// </summary>
    public IEnumerable<string> LocalBucketsOf(string remoteBucket)
    {
        foreach (var (local, mapped) in settings.Mapping.Pairs)
            if (mapped == remoteBucket && BucketOf(local) == remoteBucket) yield return local;
        if (!settings.Mapping.Pairs.ContainsKey(remoteBucket) && BucketOf(remoteBucket) == remoteBucket) yield return remoteBucket;
    }

    /// <summary>The remote announced a change of the key (<see cref="Events.RemoteEvent"/>): its "not found" and the remote bucket's listing pages remembered are wrong now.</summary>
    public void ForgetChanged(string remoteBucket, string key)
    {
        _missing.Forget(remoteBucket, key);
        _listings.Forget(remoteBucket);
    }

    /// <summary>One page of the remote bucket's keys, straight from the remote (no listing cache): what a reconcile compares.</summary>
    public async Task<ListPage> ListRemoteAsync(string remoteBucket, ListRequest request, CancellationToken ct)
    {
        try
        {
            return await remote.ListObjectsAsync(remoteBucket, request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            CountError(e);
            throw;
        }
    }

    /// <summary>The remote's description of an object, named by its local key; a miss is NoSuchKey and remembered.</summary>
    public async Task<ObjectInfo> HeadAsync(string bucket, string key, CancellationToken ct)
    {
        var remoteBucket = RequireBucketOf(bucket, key);
        if (_missing.IsKnownMissing(remoteBucket, key)) throw Missing(bucket, key);
        try
        {
            return Named(await remote.HeadObjectAsync(remoteBucket, key, ReadConditions.None, ct), key);
        }
        catch (Exception e)
        {
            throw Failure(e, bucket, key, ct);
        }
    }

    /// <summary>
    /// Asks whether the remote still holds <paramref name="etag"/> (a conditional HEAD: an unchanged
    /// object costs no body). Null when unchanged; the remote's new description when it changed.
    /// Failures are the caller's to judge: they are not mapped.
    /// </summary>
    public async Task<ObjectInfo?> ChangedSinceAsync(string bucket, string key, string etag, CancellationToken ct)
    {
        try
        {
            var now = await remote.HeadObjectAsync(RequireBucketOf(bucket, key), key, new ReadConditions(null, etag, null, null), ct);
            return now.ETag == etag ? null : Named(now, key);
        }
        catch (StorageException e) when (e.Fault == StorageFault.NotModified)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            CountError(e);
            throw;
        }
    }

    /// <summary>Opens a remote read, named by its local key; failures are mapped (<see cref="Failure"/>).</summary>
    public async Task<ObjectContent> GetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        var remoteBucket = RequireBucketOf(bucket, key);
        try
        {
            // A client's read that reaches the remote is proven all the same: it may be kept (a fill) or
            // cross a network no one vouches for.
            var content = await remote.GetObjectAsync(remoteBucket, key, request with { ProveByMd5 = true }, ct);
            return new ObjectContent(Named(content.Info, key), content.Body, content.Range) { VerifiedBy = content.VerifiedBy };
        }
        catch (Exception e)
        {
            throw Failure(e, bucket, key, ct);
        }
    }

    /// <summary>
    /// Bytes of the generation <paramref name="info"/> describes, straight from the remote, for a
    /// reader whose source failed mid-body (<see cref="RemoteFallback"/>). If-Match, and the ETag
    /// checked, keep another generation's bytes out: a remote changed since fails the read, as a
    /// chunked read does.
    /// </summary>
    public async Task<Stream> ReadRestAsync(string bucket, string key, ObjectInfo info, long from, long count, CancellationToken ct)
    {
        var request = new ObjectReadRequest(new ByteRange(from, from + count - 1), ReadConditions.None with { IfMatch = info.ETag });
        var rest = await GetAsync(bucket, key, request, ct);
        if (rest.Info.ETag == info.ETag && rest.Length == count) return rest.Body;
        await rest.DisposeAsync();
        throw new IOException($"{bucket}/{key} changed on the remote while it was read.");
    }

    /// <summary>The tags of a remote object, named by its local key; failures are mapped (<see cref="Failure"/>).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetTaggingAsync(string bucket, string key, CancellationToken ct)
    {
        var remoteBucket = RequireBucketOf(bucket, key);
        try
        {
            return await remote.GetObjectTaggingAsync(remoteBucket, key, ct);
        }
        catch (Exception e)
        {
            throw Failure(e, bucket, key, ct);
        }
    }

    /// <summary>
    /// One page of the remote's keys; null when the remote has no such bucket (or it is not the
    /// overlay's to read). A page remembered within the listing TTL is served without asking; while
    /// the remote fails, one within the stale-if-error window is served marked <see cref="ListPage.Stale"/>.
    /// </summary>
    public async Task<ListPage?> ListAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        if (BucketOf(bucket) is not { } remoteBucket) return null;
        if (_listings.Fresh(remoteBucket, request) is { } fresh) return fresh;
        try
        {
            var page = await remote.ListObjectsAsync(remoteBucket, request, ct);
            _listings.Remember(remoteBucket, request, page);
            return page;
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            CountError(e);
            var mapped = RemoteErrors.Map(e, bucket, request.Prefix);
            if (RemoteErrors.IsUnavailable(mapped) && _listings.Stale(remoteBucket, request) is { } stale)
                return stale with { Stale = true };
            throw mapped;
        }
    }

    /// <summary>
    /// A remote object as the overlay may serve and store it: named by its local key, and with no
    /// ACL. Permissions are the local side's alone: whoever can write metadata on the remote must
    /// not be able to make an object public here (nor in the copy a fill stores).
    /// </summary>
    private static ObjectInfo Named(ObjectInfo info, string key) =>
        info with { Key = key, Metadata = info.Metadata.Acl is null ? info.Metadata : info.Metadata with { Acl = null } };

    public Task CheckHealthAsync(CancellationToken ct) => remote.CheckHealthAsync(ct);

    /// <summary>What a client sees for a remote failure (a cancelled client's own cancellation passes as it is); a "not found" is remembered.</summary>
    public Exception Failure(Exception e, string bucket, string key, CancellationToken ct)
    {
        if (e is OperationCanceledException && ct.IsCancellationRequested) return e;
        CountError(e);
        // Not remembered: the overlay decides whether the local bucket makes it a missing key.
        if (e is StorageException { Fault: StorageFault.BucketNotFound }) return StorageException.BucketNotFound(bucket);
        if (RemoteErrors.IsNotFound(e))
        {
            if (BucketOf(bucket) is { } remoteBucket) _missing.RememberMissing(remoteBucket, key);
            return Missing(bucket, key);
        }
        var mapped = RemoteErrors.Map(e, bucket, key);
        // The remote fails, and lately said it has no such key (S3_OVERLAY_STALE_IF_ERROR): that answer again, marked.
        if (RemoteErrors.IsUnavailable(mapped) && BucketOf(bucket) is { } known && _missing.WasMissingLately(known, key))
        {
            var stale = Missing(bucket, key);
            stale.Headers[StaleAnswers.Header] = "not-found";
            return stale;
        }
        return mapped;
    }

    /// <summary>Counts a failed request to the remote (<c>overlay.remote.errors</c>), if it is one.</summary>
    private void CountError(Exception e)
    {
        if (RemoteErrors.TypeOf(e) is { } type) metrics.CountRemoteError(type);
    }

    /// <summary>NoSuchKey, counted and traced as a miss.</summary>
    public StorageException Missing(string bucket, string key)
    {
        using (OverlaySpans.Start(Spans.RemoteMiss, bucket, key)) metrics.CountRequest(Results.Miss);
        return StorageException.ObjectNotFound(key);
    }
}
