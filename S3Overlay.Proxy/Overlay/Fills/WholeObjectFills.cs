using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// Objects not over the chunk threshold, read from the remote: streamed straight through with
/// caching off; with caching on, one remote GET per object however many ask at once, every
/// reader following its bytes as they arrive while the local copy is written.
/// </summary>
internal sealed class WholeObjectFills(
    [FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets,
    RemoteSource remote, OverlaySettings settings, WhiteoutIndex whiteouts, LocalStoreConditions conditions, FillRecords records, Keys.LocalKeys localKeys,
    CacheIndex cache, CacheEvictor evictor, LocalReads localReads, BackgroundWork work, FillSlots slots, TimeProvider clock, OverlayMetrics metrics, ILogger<WholeObjectFills> logger,
    Events.RemoteChanges remoteChanges, SpillFolderClaim spill, [FromKeyedServices(OverlayServices.LocalStaging)] IStagingStore? staging = null)
{
    private readonly SingleFlight<(string Bucket, string Key)> _fills = new(FillBody.NewSpillPath(staging, spill, stores: true), slots, metrics);

    // Keys whose whole GET found the object chunked (described by Info), while the reader that took
    // its answer has not yet begun filling chunk 0 from it, nor recorded the object as chunked: a
    // reader that came meanwhile would ask the remote for the object, or its chunk 0, again. A
    // fleet's owner sees many such readers, forwarded by the other replicas.
    private readonly ConcurrentDictionary<(string Bucket, string Key), (Task Taken, ObjectInfo Info)> _chunkZeroPending = new();

    /// <summary>Completes once no whole answer of the key waits to give chunk 0 (<see cref="RemoteFill.DeclinedSettled"/>).</summary>
    public Task ChunkZeroTaken(string bucket, string key) => _chunkZeroPending.TryGetValue((bucket, key), out var pending) ? pending.Taken : Task.CompletedTask;

    public int InFlight => _fills.Count;

    /// <summary>Completes when this process's fill of the key (if any) is over, its local write included.</summary>
    public Task WhenFinished(string bucket, string key) => _fills.WhenFinished((bucket, key));

    /// <summary>
    /// The remote GET a fill of the key would make, sent before the local store has answered
    /// (<see cref="EarlyRemoteRead"/>) as the first request of the key's fill; null while anything
    /// of the key is in flight or lately ended (a read then joins it, or finds its copy: see
    /// <see cref="SingleFlight{TKey}.TryStartEarly"/>), and while the fills are at their cap (a
    /// new one is refused without asking the remote). The caller ends it with <see cref="LetGo"/>
    /// unless a read of the remote took it.
    /// </summary>
    public EarlyRemoteRead? TryStartEarly(string bucket, string key) =>
        slots.Full || _fills.Holds((bucket, key)) || _chunkZeroPending.ContainsKey((bucket, key))
            ? null
            : _fills.TryStartEarly((bucket, key), new EarlyRemoteRead(bucket, key, metrics), c => remote.GetAsync(bucket, key, ObjectReadRequest.Whole, c));

    /// <summary>The read that sent <paramref name="early"/> is over: unless a fill adopted it (or the read streamed it), it is let go.</summary>
    public void LetGo(string bucket, string key, EarlyRemoteRead early) => _fills.LetGo((bucket, key), early);

    /// <summary>Caching off: the remote's answer streams straight through and nothing is stored.</summary>
    /// <param name="early">The remote's GET this read sent beside its local read: its answer is taken back, unless a fill adopted it.</param>
    public async Task<ObjectContent> StreamAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct, EarlyRemoteRead? early = null)
    {
        var span = OverlaySpans.Start(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, false);
        try
        {
            var content = await ((early is null ? null : _fills.TakeBack((bucket, key), early, ct)) ?? remote.GetAsync(bucket, key, request with { Conditions = ReadConditions.None }, ct));
            try
            {
                request.Conditions.Evaluate(content.Info);
            }
            catch
            {
                await content.DisposeAsync();
                throw;
            }
            metrics.CountRequest(Results.RemoteFill);
            span?.SetTag(Tags.VerifiedBy, content.VerifiedBy ?? "length");
            return new ObjectContent(content.Info, new MeasuredBody(content.Body, Sources.Remote, span, metrics, direct: true), content.Range);
        }
        catch
        {
            span?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the object whole through one fill however many ask at once; when the remote's answer
    /// shows it is chunked, the first reader of the declined answer takes it (<see cref="WholeRead.ChunkedWithAnswer"/>).
    /// </summary>
    /// <param name="stale">The local copy the remote has replaced, if any: it is not looked for again, and the fill replaces only it.</param>
    /// <remarks>A fill started here adopts the key's early GET, if a read sent one (<see cref="TryStartEarly"/>), rather than ask again.</remarks>
    public async Task<WholeRead> FillAsync(string bucket, string key, ObjectReadRequest request, ObjectInfo? stale, CancellationToken ct)
    {
        while (true)
            if (await JoinOrStartAsync(bucket, key, request, stale, ct) is { } read)
                return read;
    }

    /// <summary>One look for the key's fill, or its stored copy, then a fill joined or started; null when a fill ended meanwhile (look again).</summary>
    private async Task<WholeRead?> JoinOrStartAsync(string bucket, string key, ObjectReadRequest request, ObjectInfo? stale, CancellationToken ct)
    {
        var lookedAt = SingleFlight<(string, string)>.Now();
        // A fill that finished since the local miss has stored the object: look once more before asking the remote.
        var inFlight = _fills.TryJoin((bucket, key));
        if (inFlight is null && _chunkZeroPending.TryGetValue((bucket, key), out var chunked))
            return new WholeRead.ChunkedAfterTaker(chunked.Info, chunked.Taken);
        var ended = _fills.HasEnded((bucket, key), out var declined) && inFlight is null;
        // Chunked, found by a whole GET since the caller looked at the record: the record names it now
        // (the reader that took the answer recorded it before its first byte), read it so, not by another whole GET.
        if (ended && declined is not null && (await records.ReadSeenAsync(bucket, key, ct)).Names(declined, chunked: true))
            return new WholeRead.ChunkedAfterTaker(declined, Task.CompletedTask);
        if (ended && stale is null && await localReads.TryGetAsync(bucket, key, request, ct) is { Object: { } hit })
            return new WholeRead.Served(hit);
        if ((inFlight is not null ? (inFlight, true) : _fills.JoinOrStart((bucket, key), lookedAt, (f, early) => f.Start(work,
            openRemote: c => early?.Adopt(c) ?? remote.GetAsync(bucket, key, ObjectReadRequest.Whole, c),
            accept: answer => Accepts(f, bucket, key, answer.Info),
            store: (info, body) => StoreAsync(bucket, key, info, body, stale?.ETag),
            mapError: e => e,
            logger,
            OverlaySpans.Start(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, true).SetTag(Tags.Coalesced, false)))) is not var (fill, joined))
            return null;
        if (joined) metrics.CoalescedWaiters.Add(1);

        ObjectInfo info;
        try
        {
            info = await fill.Opened.WaitAsync(ct);
        }
        catch (Exception e)
        {
            fill.Leave();
            if (!DiskFull.Caused(e)) throw;
            // Not even the fill's file could be made (its disk is full): the remote's answer streams straight through.
            var streamed = await StreamAsync(bucket, key, request, ct);
            return new WholeRead.Served(streamed);
        }
        try
        {
            if (fill.Declined)
            {
                // Taken before this reader's share is given back: the last share to go disposes an answer nobody took.
                var answer = fill.TakeDeclined();
                fill.Leave();
                return answer is not null ? new WholeRead.ChunkedWithAnswer(answer) : new WholeRead.ChunkedAfterTaker(info, fill.DeclinedSettled);
            }
            request.Conditions.Evaluate(info);
            var range = Ranges.Resolve(request.Range, info.Size);
            metrics.CountRequest(Results.RemoteFill);
            var (offset, length) = (range?.Offset ?? 0, range?.Length ?? info.Size);
            var body = new RemoteFallback(fill.OpenReader(offset, length), offset, length, (from, count, c) => ReadRestAsync(bucket, key, info, from, count, c));
            return new WholeRead.Served(new ObjectContent(info, new MeasuredBody(body, Sources.Remote, OverlaySpans.Joiner(Spans.RemoteFill, bucket, key, joined), metrics), range));
        }
        catch
        {
            fill.Leave();
            throw;
        }
    }

    /// <summary>The rest of a fill's body straight from the remote, for a reader the fill's file failed (<see cref="RemoteFallback"/>).</summary>
    private Task<Stream> ReadRestAsync(string bucket, string key, ObjectInfo info, long from, long count, CancellationToken ct)
    {
        logger.LogWarning("No room to cache {Bucket}/{Key}: the rest of it is streamed from the remote", bucket, key);
        return remote.ReadRestAsync(bucket, key, info, from, count, ct);
    }

    /// <summary>
    /// Whether a whole fill reads the body the remote announced: not of an object over the chunk
    /// threshold. One that is over it is noted at once, as the fill declines: a miss that comes
    /// from now on, even while the declined fill winds down (no longer joined, not yet gone),
    /// waits for the reader that takes its answer rather than ask the remote for the object again
    /// (and once the fill has ended, its end says what it declined: <see cref="SingleFlight{TKey}.HasEnded"/>).
    /// </summary>
    private bool Accepts(RemoteFill fill, string bucket, string key, ObjectInfo info)
    {
        if (info.Size <= settings.ChunkThreshold) return true;
        var pending = (fill.DeclinedSettled, info);
        _chunkZeroPending[(bucket, key)] = pending;
        pending.DeclinedSettled.ContinueWith(_ => _chunkZeroPending.TryRemove(new KeyValuePair<(string, string), (Task, ObjectInfo)>((bucket, key), pending)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return false;
    }

    /// <param name="replaces">The ETag of the stale local copy this fill refreshes; null when there is none.</param>
    private async Task StoreAsync(string bucket, string key, ObjectInfo fetched, FillBody body, string? replaces)
    {
        await localBuckets.EnsureAsync(bucket, CancellationToken.None);
        // A delete that came while the remote was being read must win: its whiteout, at the key,
        // refuses the store below (only over nothing, or the stale copy). A store that ignores
        // that condition is asked before (see LocalStoreConditions).
        if (!await conditions.HonouredAsync() && await whiteouts.ExistsAsync(bucket, key, CancellationToken.None)) return;
        // The local store verifies what it is given: the length always, the MD5 when the remote
        // ETag is one and the remote read did not check the body already (FillBody); either
        // mismatch stores nothing.
        // The fill's record rides in the copy's own metadata: stored by this one write, found by every read of the copy.
        var remoteBucket = remote.BucketOf(bucket);
        // The remote announced another generation while this one was read: its readers had it, the cache does not keep it.
        if (remoteBucket is not null && remoteChanges.Superseded(remoteBucket, key, fetched.ETag)) return;
        ObjectInfo stored;
        try
        {
            stored = await body.StoreAsync(local, staging, bucket, key, new ObjectWrite
            {
                Metadata = remoteBucket is null ? fetched.Metadata : FillMetadata.With(fetched.Metadata, remoteBucket, clock.GetUtcNow()),
                ContentLength = fetched.Size,
                ContentMD5 = PlainETag.Md5Of(fetched.ETag) is { } md5 ? Convert.ToBase64String(md5) : null,
                ETag = fetched.ETag,
                LastModified = fetched.LastModified,
                // A client's write or a delete's whiteout that landed while the remote was read
                // wins: the fill stores only over nothing, or over the stale copy it refreshes.
                OnlyIfAbsent = replaces is null,
                IfMatch = replaces,
                Durability = Durability.Unflushed, // the remote still has it
            });
        }
        // The stale copy is gone (If-Match on nothing is NoSuchKey) or replaced: not ours to store over.
        catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed || replaces is not null && e.Fault == StorageFault.ObjectNotFound)
        {
            return;
        }
        catch (Exception e)
        {
            localBuckets.ForgetIfGone(bucket, e);
            await DiscardPartialAsync(bucket, key, fetched);
            if (DiskFull.Caused(e)) evictor.MakeRoom(fetched.Size);
            throw;
        }
        remote.Forget(bucket, key);
        localKeys.Note(bucket, key);
        // The stored ETag, not the remote's: an S3 local store computes its own (a multipart
        // remote ETag becomes a plain MD5), and eviction recognises its fill by it.
        cache.RecordObject(bucket, key, stored.ETag, fetched.Size);
        evictor.EvictIfOverHighWatermark();
    }

    /// <summary>
    /// Removes what a failed write of this fill kept (a local store that writes in place, as
    /// s3rver does, keeps what arrived): the remote's ETag with a wrong size, never an object a
    /// client wrote meanwhile.
    /// </summary>
    private async Task DiscardPartialAsync(string bucket, string key, ObjectInfo fetched)
    {
        try
        {
            if (await local.FindObjectAsync(bucket, key, CancellationToken.None) is { } kept
                && kept.ETag == fetched.ETag && kept.Size != fetched.Size)
                await local.DeleteObjectAsync(bucket, key, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not remove the partial {Bucket}/{Key}", bucket, key);
        }
    }
}
