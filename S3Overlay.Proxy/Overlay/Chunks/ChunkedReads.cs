using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// Objects over the chunk threshold, read in fixed, aligned chunks: each chunk from the cache or
/// from its own ranged remote GET (one per chunk however many readers want it), the next one
/// read ahead, and never a byte of two generations of the object mixed in one answer.
/// </summary>
internal sealed partial class ChunkedReads(
    [FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets,
    RemoteSource remote, OverlaySettings settings, FillRecords records, ChunkMarkers markers, CacheIndex cache,
    CacheEvictor evictor, BackgroundWork work, FillSlots slots, OverlayMetrics metrics, ILogger<ChunkedReads> logger, SpillFolderClaim spill,
    [FromKeyedServices(OverlayServices.LocalStaging)] IStagingStore? staging = null, Fleet.FleetRouting? fleet = null)
{
    /// <summary>The remote no longer holds the generation being read: never mix its bytes with another's.</summary>
    public static StorageException RemoteChanged() => new(StorageFault.SourceChanged, message: "The remote object changed while it was being read; retry the request.");

    private readonly SingleFlight<string> _fills = new(FillBody.NewSpillPath(staging, spill, stores: settings.CachesAny), slots, metrics);

    public int InFlight => _fills.Count;

    /// <summary>One remote object cached in chunks: which generation, and how it is cut.</summary>
    /// <remarks>
    /// Each read has its own: the fills it starts (checking the generation, reading ahead) carry
    /// it as <see cref="RemoteFill.StartedBy"/>, so reading one of them later is not joining
    /// another reader's fill (not coalesced). A class, not a record: compared by reference.
    /// </remarks>
    /// <param name="asksOwners">In a fleet, whether this read's chunks are filled by their owners (not for a chunk a peer forwarded here: <see cref="PeerHop.Chunk"/>).</param>
    private sealed class ChunkedObject(string bucket, string remoteBucket, string key, ObjectInfo remote, ChunkLayout layout, bool asksOwners)
    {
        public bool AsksOwners => asksOwners;
        public string Bucket => bucket;
        public string RemoteBucket => remoteBucket;
        public string Key => key;
        public ObjectInfo Remote => remote;
        public ChunkLayout Layout => layout;

        public string ChunkKey(int index) => CacheKeys.Chunk(RemoteBucket, Key, Remote.ETag, Layout.ChunkSize, index);

        /// <summary>The generation and its cut: what an open whole answer is kept by.</summary>
        public string Generation => ChunkKey(0);
    }

    /// <summary>
    /// Opens the read of <paramref name="described"/> (the remote's description, or the manifest's).
    /// Throws <see cref="RemoteChanged"/> before any byte is served when the remote holds another
    /// generation by now: the caller starts over with the new one.
    /// </summary>
    /// <param name="wholeAnswer">
    /// The remote's open answer to a whole GET that described <paramref name="described"/>, if the
    /// caller holds one: the read takes its content, and the chunks' fills read it chunk after
    /// chunk (<see cref="WholeAnswerChunks"/>) while readers want them; let go as the read opens if
    /// it gave none, or another answer of this generation is open already. The caller disposes
    /// the answer once this returns: chunk 0 has been started with it by then.
    /// </param>
    /// <param name="seen">
    /// The object's record as the caller read it before it learnt of <paramref name="described"/>:
    /// the read makes the record name this generation before its first byte, in place of exactly
    /// that (<see cref="FillRecords.AdoptAsync"/>). Null: the read records nothing.
    /// </param>
    public async Task<ObjectContent> ReadAsync(string bucket, string key, ObjectInfo described, ObjectReadRequest request, DeclinedAnswer? wholeAnswer, RecordSeen? seen, CancellationToken ct)
    {
        request.Conditions.Evaluate(described);
        var range = Ranges.Resolve(request.Range, described.Size);
        var remoteBucket = remote.BucketOf(bucket) ?? throw remote.Missing(bucket, key);
        var chunked = new ChunkedObject(bucket, remoteBucket, key, described, new ChunkLayout(described.Size, settings.ChunkSize),
            asksOwners: fleet is not null && request.Hop != PeerHop.Chunk);
        var answer = wholeAnswer is null ? null : Keep(chunked, wholeAnswer.Take());
        var first = chunked.Layout.IndexOf(range?.Offset ?? 0);
        // The fill of the first chunk this read started itself (the whole answer's chunk 0, or the
        // generation check's), still joined: the body reads that fill. Left and looked for again,
        // it may have stored a small chunk meanwhile, and the read would take its own fill's bytes
        // back from the cache (another thread hop, and a chunk hit for a chunk it fetched).
        RemoteFill? own = null;
        // The first chunk, cached, as the generation check opened it: looking for a chunk and then
        // reading it were two requests to an S3 local store where one GET does both.
        Stream? firstCached = null;
        var (start, bodyLength) = (range?.Offset ?? 0, range?.Length ?? described.Size);
        var firstStart = chunked.Layout.StartOf(first);
        ByteRange? firstWindow = bodyLength == 0 ? null
            : new ByteRange(start - firstStart, Math.Min(start + bodyLength, firstStart + chunked.Layout.LengthOf(first)) - 1 - firstStart);
        var body = new ChunkedBody(chunked.Layout, start, bodyLength,
            (index, offset, length, reached, c) => index == first && Interlocked.Exchange(ref firstCached, null) is { } opened
                ? Task.FromResult(opened)
                : OpenChunkAsync(chunked, index, index == first, index == first ? Interlocked.Exchange(ref own, null) : null, offset, length, reached, c),
            settings.Caches(chunked.Bucket) ? (index, wanted) => ReadAhead(chunked, index, wanted) : null);
        AnswerOf(chunked)?.Attach(body.LastChunk, body.Reading);
        // The whole answer's read wants chunk 0 (a whole read's first): its fill starts now, so its
        // start (a thread hop, the fill's file) goes on beside the record's write rather than after it.
        if (answer is not null && first == 0 && request.Range is null) own = JoinFill(chunked, 0, lookedAt: null)!.Value.Fill;
        // Recorded before the first byte, while the remote is asked for the first chunk: once a
        // reader has this generation, no later read may find an older one's manifest (and chunks).
        var recorded = seen is null || !settings.Caches(bucket) || seen.Names(described, chunked: true)
            ? null
            : AdoptAsync(chunked, seen);
        try
        {
            own ??= await ConfirmGenerationAsync(chunked, first, range is null ? body.LastChunk : first, firstWindow, opened => firstCached = opened, ct);
            if (recorded is not null && !await recorded) throw RemoteChanged();
            await body.OpenFirstAsync(ct);
        }
        catch
        {
            await body.DisposeAsync();
            throw;
        }
        finally
        {
            Interlocked.Exchange(ref own, null)?.Leave(); // not read: the read failed, or an empty body opened no chunk
            if (Interlocked.Exchange(ref firstCached, null) is { } unread) await unread.DisposeAsync();
            answer?.CloseUnclaimed();
        }
        metrics.CountRequest(Results.Chunked);
        cache.Touch(CacheEntryKind.Chunks, chunked.RemoteBucket, key);
        return new ObjectContent(described, body, range);
    }

    /// <summary>
    /// Makes the record name this generation (<see cref="FillRecords.AdoptAsync"/>), and marks its
    /// key as cached in chunks beside that write (<see cref="ChunkMarkers"/>): the two at once, so
    /// the first byte waits for one round trip, not two.
    /// </summary>
    private async Task<bool> AdoptAsync(ChunkedObject chunked, RecordSeen seen)
    {
        var marked = markers.MarkAsync(chunked.Bucket, chunked.Key);
        var adopted = await records.AdoptAsync(chunked.Bucket, chunked.Remote, chunked.Layout.ChunkSize, seen);
        await marked;
        return adopted;
    }

    /// <summary>
    /// Before the first byte is served: if the read needs a chunk the cache lacks among
    /// <paramref name="first"/>..<paramref name="last"/>, the remote must still hold this
    /// generation. Asking with the first such chunk's fill costs nothing extra, and turns a
    /// replaced object into a clean retry instead of a body cut halfway. A fill this read joined
    /// proves nothing (it may have asked the remote before the object changed: an earlier read's
    /// read-ahead), so the proof is a fill this read starts itself. The open whole answer that
    /// described this generation (<see cref="WholeAnswerChunks"/>) stands in for the chunks it
    /// gives, as a fill in flight does: a read whose chunks are cached, in flight or given by it
    /// starts no fill of its own before its first byte (and a fill of its own would cut that
    /// answer short, and throw away what the remote had pushed into it).
    /// </summary>
    /// <returns>The fill it started of chunk <paramref name="first"/>, still joined, for the body to read; null when it started none of that chunk.</returns>
    /// <remarks>
    /// A whole GET looks through every chunk: its reader wants them all, so the chunk that proves
    /// the generation is one it would fetch anyway. A range looks at its first chunk only: readers
    /// that seek by opening <c>bytes=X-</c> and closing after a few KiB would otherwise fetch, and
    /// wait for, a chunk they never reach. A range whose first chunk is cached is then
    /// served without asking the remote anything, as any cached object is until revalidation is
    /// due; a later chunk the remote refuses (replaced) cuts the body, never mixing two
    /// generations, and the next read learns the new one (<see cref="ForgetReplacedAsync"/>).
    /// </remarks>
    /// <param name="firstWindow">What the body reads of chunk <paramref name="first"/>: when that chunk is cached, it is opened so, and given to <paramref name="openedFirst"/>.</param>
    private async Task<RemoteFill?> ConfirmGenerationAsync(ChunkedObject chunked, int first, int last, ByteRange? firstWindow, Action<Stream> openedFirst, CancellationToken ct)
    {
        for (var index = first; index <= last; index++)
        {
            long lookedAt;
            if (index == first && firstWindow is { First: { } from, Last: { } to })
            {
                (var inFlight, var opened, lookedAt) = await InFlightOrOpenCachedAsync(chunked, index, from, to - from + 1, ct);
                inFlight?.Leave();
                if (opened is not null) openedFirst(opened);
                if (inFlight is not null || opened is not null) continue;
            }
            else if (await InFlightOrCachedAsync(chunked, index, ct) is not { } missedAt) continue; // in flight (joining proves nothing of this generation) or cached
            else lookedAt = missedAt;
            if (AnswerOf(chunked)?.Gives(index) is true) return null;
            if (JoinFill(chunked, index, lookedAt) is not var (fill, joined))
            {
                index--; // it ended since the look: cached now, look again
                continue;
            }
            var kept = false;
            try
            {
                if (joined) continue;
                await fill.Opened.WaitAsync(ct);
                if (fill.Declined) throw RemoteChanged();
                kept = index == first;
                return kept ? fill : null;
            }
            finally
            {
                if (!kept) fill.Leave();
            }
        }
        return null;
    }

    /// <summary>
    /// A chunk past the first was refused mid-body: the remote replaced the object. The record
    /// still naming this generation is replaced by the remote's new one (or removed with the
    /// object), so the client's retry reads the new generation rather than this one's cached
    /// first chunk again.
    /// </summary>
    private async Task ForgetReplacedAsync(ChunkedObject chunked, CancellationToken ct)
    {
        try
        {
            var seen = await records.ReadSeenAsync(chunked.Bucket, chunked.Key, ct);
            if (!seen.Names(chunked.Remote, chunked: true)) return; // a newer generation is recorded already
            ObjectInfo fresh;
            try
            {
                fresh = await remote.HeadAsync(chunked.Bucket, chunked.Key, ct);
            }
            catch (StorageException e) when (e.IsMissing)
            {
                await records.DeleteAsync(chunked.RemoteBucket, chunked.Key, ct);
                return;
            }
            await records.AdoptAsync(chunked.Bucket, fresh, fresh.Size > settings.ChunkThreshold ? settings.ChunkSize : 0, seen);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record that the remote replaced {Key}", chunked.Key);
        }
    }

    /// <param name="first">The body's first chunk: refused, it is an error answer (the caller starts over); any later one cuts the body.</param>
    /// <param name="own">A fill of the chunk this read started and still holds a share of (see <see cref="ReadAsync"/>): read, not looked for.</param>
    /// <param name="reached">Awaited before this read starts a remote fetch (<see cref="ChunkedBody.ChunkOpener"/>).</param>
    private async Task<Stream> OpenChunkAsync(ChunkedObject chunked, int index, bool first, RemoteFill? own, long offset, long length,
        Func<CancellationToken, ValueTask<bool>>? reached, CancellationToken ct)
    {
        // A fill in flight first, then the cache: in this order a fill that ends in between has
        // stored the chunk by the time the cache is asked, so the remote is not asked twice.
        var (inFlight, cached, lookedAt) = own is not null ? (own, null, 0L) : await InFlightOrOpenCachedAsync(chunked, index, offset, length, ct);
        if (cached is not null) return cached;
        if (inFlight is null && reached is not null)
        {
            // Not fetched for a reader that has not taken the bytes before it: the connection's
            // buffers took them, the reader may never (a warm seek would fetch a chunk each time).
            if (!await reached(ct)) throw new IOException($"The client went before it reached chunk {index}.");
            // Meanwhile its read-ahead (or another reader) may have started it, or stored it.
            (inFlight, cached, lookedAt) = await InFlightOrOpenCachedAsync(chunked, index, offset, length, ct);
            if (cached is not null) return cached;
        }
        var flight = inFlight is not null ? (inFlight, true) : JoinFill(chunked, index, lookedAt);
        while (flight is null)
        {
            // A fill of the chunk ended since the look: it is cached now (unless that fill stored nothing).
            (inFlight, cached, lookedAt) = await InFlightOrOpenCachedAsync(chunked, index, offset, length, ct);
            if (cached is not null) return cached;
            flight = inFlight is not null ? (inFlight, true) : JoinFill(chunked, index, lookedAt);
        }
        var (fill, joined) = flight.Value;
        joined &= fill.StartedBy != chunked;
        if (joined) metrics.CoalescedWaiters.Add(1);
        try
        {
            await fill.Opened.WaitAsync(ct); // a remote that honours If-Match refuses a replaced object here (RemoteChanged)
            if (fill.Declined) throw RemoteChanged(); // one that does not sends another ETag
            return new MeasuredBody(fill.OpenReader(offset, length), Sources.Remote,
                OverlaySpans.Joiner(Spans.ChunkFill, chunked.Bucket, chunked.Key, joined)?.SetTag(Tags.ChunkIndex, index), metrics);
        }
        catch (Exception e)
        {
            fill.Leave();
            if (!first && e is StorageException { Fault: StorageFault.SourceChanged }) await ForgetReplacedAsync(chunked, ct);
            throw;
        }
    }

    // A chunk not cached yet is the rule on a cold read: told without an exception (IObjectStore.TryGetObjectAsync).
    private async Task<Stream?> TryOpenCachedAsync(ChunkedObject chunked, int index, long offset, long length, CancellationToken ct)
    {
        var cached = await local.TryGetObjectAsync(settings.CacheBucket, chunked.ChunkKey(index),
            new ObjectReadRequest(new ByteRange(offset, offset + length - 1), ReadConditions.None), ct);
        if (cached is null) return null;
        if (cached.Info.Size == chunked.Layout.LengthOf(index))
        {
            var span = OverlaySpans.Start(Spans.ChunkHit, chunked.Bucket, chunked.Key)?.SetTag(Tags.ChunkIndex, index);
            return new MeasuredBody(cached.Body, Sources.Local, span, metrics);
        }
        // A chunk of the wrong size is one a non-atomic local store is still writing (or
        // kept half of): it is not there yet.
        await cached.DisposeAsync();
        return null;
    }

    /// <summary>Starts filling a chunk a sequential reader will want next, unless it is cached or in flight.</summary>
    /// <param name="wanted">Cancelled once the reader has gone: then nothing is started for it.</param>
    /// <remarks>
    /// A read-ahead started goes on when its reader goes: it stores the chunk (read-ahead runs with
    /// caching on only), so its bytes serve the next reader rather than being thrown away half
    /// fetched, and it is one chunk, started only for a reader that had taken more than a seek's worth.
    /// </remarks>
    private void ReadAhead(ChunkedObject chunked, int index, CancellationToken wanted) => work.TryStart("read-ahead", async ct =>
    {
        try
        {
            if (wanted.IsCancellationRequested) return;
            if (await InFlightOrCachedAsync(chunked, index, ct) is not { } lookedAt || wanted.IsCancellationRequested) return;
            JoinFill(chunked, index, lookedAt)?.Fill.Leave(); // null: a fill of it ended since the look, and stored it
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Past the fill cap, or the remote failing: the reader fetches the chunk itself when it gets there.
            logger.LogDebug(e, "Read-ahead of chunk {Index} of {Key} failed", index, chunked.Key);
        }
    });

    /// <summary>
    /// Whether a chunk is being filled, or is cached: null when it is either, else when the look
    /// that found neither began (for <see cref="JoinFill"/>). A fill in flight is looked for first,
    /// then the cache (as OpenChunkAsync): the other way round, a fill that ends between the two
    /// (the read's own generation check, say) is missed, started again, and its chunk fetched and
    /// stored twice.
    /// </summary>
    private async Task<long?> InFlightOrCachedAsync(ChunkedObject chunked, int index, CancellationToken ct)
    {
        long lookedAt;
        do
        {
            lookedAt = SingleFlight<string>.Now();
            if (_fills.TryJoin(chunked.ChunkKey(index)) is { } inFlight)
            {
                inFlight.Leave();
                return null;
            }
            if (await HasChunkAsync(chunked, index, ct)) return null;
        }
        while (_fills.EndedSince(chunked.ChunkKey(index), lookedAt));
        return lookedAt;
    }

    /// <summary>
    /// The chunk's fill in flight, joined, or else the chunk cached, opened (<paramref name="offset"/>,
    /// <paramref name="length"/>); neither when the chunk is neither, with when that look began
    /// (for <see cref="JoinFill"/>). Asked again while a fill of the chunk ended since the last
    /// look: it stored the chunk after the cache was asked, and a fill started now would fetch it
    /// from the remote a second time.
    /// </summary>
    private async Task<(RemoteFill? Fill, Stream? Cached, long LookedAt)> InFlightOrOpenCachedAsync(ChunkedObject chunked, int index, long offset, long length, CancellationToken ct)
    {
        long lookedAt;
        do
        {
            lookedAt = SingleFlight<string>.Now();
            if (_fills.TryJoin(chunked.ChunkKey(index)) is { } inFlight) return (inFlight, null, lookedAt);
            if (await TryOpenCachedAsync(chunked, index, offset, length, ct) is { } cached) return (null, cached, lookedAt);
        }
        while (_fills.EndedSince(chunked.ChunkKey(index), lookedAt));
        return (null, null, lookedAt);
    }

    private async Task<bool> HasChunkAsync(ChunkedObject chunked, int index, CancellationToken ct) =>
        await local.FindObjectAsync(settings.CacheBucket, chunked.ChunkKey(index), ct) is { } info && info.Size == chunked.Layout.LengthOf(index);
}
