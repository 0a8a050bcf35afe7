using Microsoft.Extensions.Logging;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

public sealed partial class OverlayObjectStore
{
    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
    {
        Guard(bucket);
        var local = await LocalCopyAsync(bucket, key, ct);
        if (local is { Stale: false })
        {
            using var span = StartSpan(Spans.LocalHit, bucket, key);
            conditions.Evaluate(local.Info);
            Count(Results.LocalHit);
            return local.Info;
        }

        await RefuseWhitedOutAsync(bucket, key, ct);
        var remoteBucket = _settings.Mapping.RemoteBucketOf(bucket);
        if (local is null && await CurrentManifestAsync(remoteBucket, key, ct) is { } manifest)
        {
            using var span = StartSpan(Spans.ChunkHit, bucket, key);
            var info = manifest.ToObjectInfo(key);
            conditions.Evaluate(info);
            Count(Results.Chunked);
            return info;
        }

        // A HEAD answers from the remote and stores nothing (the body was not asked for).
        using (StartSpan(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, false))
        {
            var info = local?.Remote ?? await RemoteHeadAsync(bucket, key, remoteBucket, ct);
            conditions.Evaluate(info);
            Count(Results.RemoteFill);
            return info;
        }
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        Guard(bucket);
        var local = _settings.RevalidateAfter is null ? null : await LocalCopyAsync(bucket, key, ct);
        if (local is null or { Stale: false } && await TryLocalAsync(bucket, key, request, ct) is { } hit)
            return hit;

        await RefuseWhitedOutAsync(bucket, key, ct);
        var remoteBucket = _settings.Mapping.RemoteBucketOf(bucket);
        if (local is null && await CurrentManifestAsync(remoteBucket, key, ct) is { } manifest)
            return await ReadChunkedAsync(bucket, key, remoteBucket, manifest.ToObjectInfo(key), request, retry: true, ct);
        if (_missing.IsKnownMissing(remoteBucket, key))
            throw Missing(bucket, key);
        if (!_settings.CacheEnabled)
            return await StreamFromRemoteAsync(bucket, key, remoteBucket, request, ct);
        if (request.Range is null)
            return await FillWholeAsync(bucket, key, remoteBucket, request, stale: local?.Info, ct);

        // A range: whether the object is chunked decides what to fetch, so ask for its size first
        // (a stale local copy already told us).
        var remote = local?.Remote ?? await RemoteHeadAsync(bucket, key, remoteBucket, ct);
        return remote.Size > _settings.ChunkThreshold
            ? await ReadChunkedAsync(bucket, key, remoteBucket, remote, request, retry: true, ct)
            : await FillWholeAsync(bucket, key, remoteBucket, request, stale: local?.Info, ct);
    }

    private async Task<ObjectContent?> TryLocalAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        try
        {
            var content = await _local.GetObjectAsync(bucket, key, request, ct);
            Cache.Touch(Eviction.CacheEntryKind.Object, bucket, key);
            Count(Results.LocalHit);
            var span = StartSpan(Spans.LocalHit, bucket, key);
            return new ObjectContent(content.Info, new MeasuredBody(content.Body, Sources.Local, span), content.Range);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            return null;
        }
    }

    /// <summary>Caching off: the remote's answer streams straight through and nothing is stored.</summary>
    private async Task<ObjectContent> StreamFromRemoteAsync(string bucket, string key, string remoteBucket, ObjectReadRequest request, CancellationToken ct)
    {
        var span = StartSpan(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, false);
        try
        {
            var content = await _remote.GetObjectAsync(remoteBucket, key, request with { Conditions = ReadConditions.None }, ct);
            var info = content.Info with { Key = key };
            try
            {
                request.Conditions.Evaluate(info);
            }
            catch
            {
                await content.DisposeAsync();
                throw;
            }
            Count(Results.RemoteFill);
            return new ObjectContent(info, new MeasuredBody(content.Body, Sources.Remote, span, direct: true), content.Range);
        }
        catch (Exception e)
        {
            span?.Dispose();
            throw RemoteFailure(e, bucket, key, remoteBucket, ct);
        }
    }

    /// <summary>
    /// Caching on, an object not over the threshold: one remote GET per object however many ask
    /// at once; every reader follows its bytes as they arrive while the local copy is written.
    /// </summary>
    /// <param name="stale">The local copy the remote has replaced, if any: it is not looked for again, and the fill replaces only it.</param>
    private async Task<ObjectContent> FillWholeAsync(string bucket, string key, string remoteBucket, ObjectReadRequest request, ObjectInfo? stale, CancellationToken ct)
    {
        // A fill that finished since the local miss has stored the object: look once more before asking the remote.
        var inFlight = _objectFills.TryJoin((bucket, key));
        if (inFlight is null && stale is null && await TryLocalAsync(bucket, key, request, ct) is { } hit)
            return hit;
        var (fill, joined) = inFlight is not null ? (inFlight, true) : _objectFills.JoinOrStart((bucket, key), f => f.Start(
            openRemote: c => _remote.GetObjectAsync(remoteBucket, key, ObjectReadRequest.Whole, c),
            accept: answer => answer.Info.Size <= _settings.ChunkThreshold,
            store: (info, body) => StoreWholeAsync(bucket, key, remoteBucket, info, body, stale?.ETag),
            mapError: e => RemoteFailure(e, bucket, key, remoteBucket, CancellationToken.None),
            _logger,
            StartSpan(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, true).SetTag(Tags.Coalesced, false)));
        if (joined) CoalescedWaiters.Add(1);

        ObjectInfo info;
        ResolvedRange? range;
        try
        {
            info = (await fill.Opened.WaitAsync(ct)) with { Key = key };
            if (!fill.Declined)
            {
                request.Conditions.Evaluate(info);
                range = Resolve(request.Range, info.Size);
                Count(Results.RemoteFill);
                var body = fill.OpenReader(range?.Offset ?? 0, range?.Length ?? info.Size);
                return new ObjectContent(info, new MeasuredBody(body, Sources.Remote, JoinerSpan(Spans.RemoteFill, bucket, key, joined)), range);
            }
        }
        catch
        {
            fill.Leave();
            throw;
        }
        // The remote said the object is over the threshold: it is cached in chunks instead.
        fill.Leave();
        return await ReadChunkedAsync(bucket, key, remoteBucket, info, request, retry: true, ct);
    }

    /// <param name="replaces">The ETag of the stale local copy this fill refreshes; null when there is none.</param>
    private async Task StoreWholeAsync(string bucket, string key, string remoteBucket, ObjectInfo remote, Stream body, string? replaces)
    {
        // A delete that came while the remote was being read must win (see DeleteObjectAsync).
        if (await _whiteouts.ExistsAsync(bucket, key, CancellationToken.None)) return;
        await EnsureLocalBucketAsync(bucket, CancellationToken.None);
        // The local store verifies what it is given: the length always, the MD5 when the remote
        // ETag is one; either mismatch stores nothing.
        ObjectInfo stored;
        try
        {
            stored = await _local.PutObjectAsync(bucket, key, body, new ObjectWrite
            {
                Metadata = remote.Metadata,
                ContentLength = remote.Size,
                ContentMD5 = Md5OfETag(remote.ETag),
                ETag = remote.ETag,
                LastModified = remote.LastModified,
                // A client's write that landed while the remote was read wins: the fill stores
                // only over nothing, or over the stale copy it refreshes.
                OnlyIfAbsent = replaces is null,
                IfMatch = replaces,
            }, CancellationToken.None);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.PreconditionFailed.Code)
        {
            return;
        }
        catch
        {
            await DiscardFillAsync(bucket, key, remote, partialOnly: true);
            throw;
        }
        if (await _whiteouts.ExistsAsync(bucket, key, CancellationToken.None))
        {
            await DiscardFillAsync(bucket, key, remote, partialOnly: false);
            return;
        }
        _missing.Forget(remoteBucket, key);
        await WriteManifestAsync(ChunkManifest.Of(remoteBucket, remote with { Key = key }, chunkSize: 0, _clock.GetUtcNow()));
        // The stored ETag, not the remote's: an S3 local store computes its own (a multipart
        // remote ETag becomes a plain MD5), and eviction recognises its fill by it.
        Cache.RecordObject(bucket, key, stored.ETag, remote.Size);
        EvictIfOverHighWatermark();
    }

    /// <summary>
    /// Removes what this fill stored: only if it carries the remote's ETag, never an object a
    /// client wrote meanwhile. With <paramref name="partialOnly"/>, only what a failed write kept
    /// (a local store that writes in place, as s3rver does, keeps what arrived): a wrong size.
    /// </summary>
    private async Task DiscardFillAsync(string bucket, string key, ObjectInfo remote, bool partialOnly)
    {
        try
        {
            var kept = await _local.HeadObjectAsync(bucket, key, ReadConditions.None, CancellationToken.None);
            if (kept.ETag == remote.ETag && (!partialOnly || kept.Size != remote.Size)) await DiscardAsync(bucket, key);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
        }
    }

    private async Task DiscardAsync(string bucket, string key)
    {
        try
        {
            await _local.DeleteObjectAsync(bucket, key, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not remove the partial {Bucket}/{Key}", bucket, key);
        }
    }

    /// <summary>The remote's description of an object, coalesced with nothing: HEADs are cheap and store nothing.</summary>
    private async Task<ObjectInfo> RemoteHeadAsync(string bucket, string key, string remoteBucket, CancellationToken ct)
    {
        if (_missing.IsKnownMissing(remoteBucket, key)) throw Missing(bucket, key);
        try
        {
            return (await _remote.HeadObjectAsync(remoteBucket, key, ReadConditions.None, ct)) with { Key = key };
        }
        catch (Exception e)
        {
            throw RemoteFailure(e, bucket, key, remoteBucket, ct);
        }
    }

    /// <summary>Maps a remote failure to what the client sees, remembering a "not found".</summary>
    private Exception RemoteFailure(Exception e, string bucket, string key, string remoteBucket, CancellationToken ct)
    {
        if (e is OperationCanceledException && ct.IsCancellationRequested) return e;
        if (RemoteErrors.IsNotFound(e))
        {
            _missing.RememberMissing(remoteBucket, key);
            return Missing(bucket, key);
        }
        return RemoteErrors.Map(e, bucket, key);
    }

    private static S3Exception Missing(string bucket, string key)
    {
        using (StartSpan(Spans.RemoteMiss, bucket, key)) Count(Results.Miss);
        return S3Exception.NoSuchKey(key);
    }

    /// <summary>The base64 MD5 a plain (single-part) S3 ETag is, so the local store can verify the body; null otherwise.</summary>
    public static string? Md5OfETag(string etag)
    {
        var hex = ReadConditions.Unquote(etag);
        return hex.Length == 32 && hex.All(Uri.IsHexDigit) ? Convert.ToBase64String(Convert.FromHexString(hex)) : null;
    }
}
