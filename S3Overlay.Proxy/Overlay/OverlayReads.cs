using System.Diagnostics;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Overlay.LostLocal;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Versions;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using S3Overlay.Telemetry;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

/// <summary>
/// HEAD and GET of a key's current object through the overlay: a local hit (revalidated when
/// copies are checked), else the record of a miss, then the remote's answer, filled whole or in
/// chunks; with the local store down, the remote's answer for a key it is known to back.
/// </summary>
internal sealed class OverlayReads([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore localStore, OverlaySettings settings, RemoteSource remote,
    LocalReads localReads, FillRecords records, WhiteoutIndex whiteouts, ChunkMarkers chunkMarkers, ChunkedObjectReads chunked, WholeObjectFills wholeFills,
    LocalOutageReads outageReads, LocalVersioning versioning, StackedVersions stacked, Keys.LocalKeys localKeys, OverlayMetrics metrics,
    FleetRouting? fleet = null)
{
    public Task<ObjectInfo> HeadAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct) =>
        ReadingAsync(bucket, key, begun => stacked.NamingNullVersionAsync(bucket, () => HeadLocalFirstAsync(bucket, key, conditions, begun, ct), ct),
            () => outageReads.HeadAsync(bucket, key, conditions, ct));

    public Task<ObjectContent> GetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        ReadingAsync(bucket, key, begun => stacked.NamingNullVersionAsync(bucket, () => GetLocalFirstAsync(bucket, key, request, begun, ct), ct),
            () => outageReads.GetAsync(bucket, key, request, ct));

    /// <summary>
    /// A read (<paramref name="read"/>, given when it began); when the local store is down and
    /// the remote is known to back the key, <paramref name="fromRemote"/> instead (<see cref="LocalOutageReads"/>).
    /// </summary>
    private async Task<T> ReadingAsync<T>(string bucket, string key, Func<long, Task<T>> read, Func<Task<T>> fromRemote)
    {
        var begun = outageReads.Known.Begin();
        try
        {
            return await read(begun);
        }
        catch (StorageException e) when (outageReads.CanAnswer(e, bucket, key))
        {
            return await fromRemote();
        }
    }

    /// <param name="begun">When the read began, for <see cref="RemoteBackedKeys.Learn"/>.</param>
    private async Task<ObjectInfo> HeadLocalFirstAsync(string bucket, string key, ReadConditions conditions, long begun, CancellationToken ct)
    {
        var legacyPending = whiteouts.Legacy.Pending;
        var local = await records.LocalCopyAsync(bucket, key, ct);
        if (local is { WhitedOut: true }) throw WhiteoutMarker.Deleted(local.Info, key);
        var chunkMarked = local is { ChunkMarked: true };
        if (chunkMarked) local = null;
        if (local is { Stale: false })
        {
            using var span = OverlaySpans.Start(Spans.LocalHit, bucket, key);
            conditions.Evaluate(local.Info);
            outageReads.FoundLocally(bucket, key, local.Info, begun);
            metrics.CountRequest(Results.LocalHit);
            return local.Info;
        }

        var seen = await whiteouts.Legacy.RefuseAsync(bucket, key, legacyPending, local is null ? RecordOfMissAsync(bucket, key, chunkMarked, ct) : null, ct);
        // From here on, the key is the remote's: nothing local stands for it but what was filled.
        if (seen is not null && await records.CurrentManifestAsync(bucket, seen, ct) is { } manifest)
        {
            using var span = OverlaySpans.Start(Spans.ChunkHit, bucket, key);
            var info = manifest.ToObjectInfo(key);
            conditions.Evaluate(info);
            outageReads.Known.Learn(bucket, key, begun);
            metrics.CountRequest(Results.Chunked);
            return info;
        }

        // A HEAD answers from the remote and stores nothing (the body was not asked for).
        using (OverlaySpans.Start(Spans.RemoteFill, bucket, key)?.SetTag(Tags.Cached, false))
        {
            var info = local?.Remote ?? await MissingBucketToldApartAsync(bucket, key, () => remote.HeadAsync(bucket, key, ct), ct);
            conditions.Evaluate(info);
            outageReads.Known.Learn(bucket, key, begun);
            metrics.CountRequest(Results.RemoteFill);
            return info;
        }
    }

    /// <summary>
    /// A key neither store has is NoSuchKey when the bucket exists somewhere, NoSuchBucket when it
    /// exists nowhere, as S3 answers (the remote's NoSuchBucket is only half the answer).
    /// </summary>
    private async Task<T> MissingBucketToldApartAsync<T>(string bucket, string key, Func<Task<T>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound || (e.Fault == StorageFault.ObjectNotFound && remote.BucketOf(bucket) is null))
        {
            if (await localStore.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);
            if (e.Fault == StorageFault.ObjectNotFound) throw;
            throw remote.Missing(bucket, key);
        }
    }

    /// <param name="begun">When the read began, for <see cref="RemoteBackedKeys.Learn"/>.</param>
    private async Task<ObjectContent> GetLocalFirstAsync(string bucket, string key, ObjectReadRequest request, long begun, CancellationToken ct)
    {
        var early = StartEarlyRemoteRead(bucket, key, request);
        try
        {
            return await GetLocalFirstAsync(bucket, key, request, begun, early, ct);
        }
        finally
        {
            // Let go unread unless a read of the remote took it: the local store answered for the key.
            if (early is not null) wholeFills.LetGo(bucket, key, early);
        }
    }

    /// <summary>
    /// The remote's GET, started before the local store has answered, where a whole read of the
    /// remote is what a local miss would lead to and the local store is known not to hold the key
    /// (<see cref="Keys.LocalKeys"/>); null anywhere else. Not for a range (whether the object is
    /// chunked decides what to ask), a fleet (the key's owner fills it), nor where
    /// the local store cannot mark chunked objects at their keys (a miss then reads the record,
    /// which may name one).
    /// </summary>
    private EarlyRemoteRead? StartEarlyRemoteRead(string bucket, string key, ObjectReadRequest request) =>
        settings.EarlyRemoteReads && fleet is null && request.Range is null
        && (!settings.Caches(bucket) || chunkMarkers.Kept)
        && !remote.IsKnownMissing(bucket, key) && localKeys.KnownAbsent(bucket, key)
            ? wholeFills.TryStartEarly(bucket, key)
            : null;

    private async Task<ObjectContent> GetLocalFirstAsync(string bucket, string key, ObjectReadRequest request, long begun, EarlyRemoteRead? early, CancellationToken ct)
    {
        var legacyPending = whiteouts.Legacy.Pending;
        var (found, local) = settings.RevalidateAfter is null ? (await localReads.TryGetAsync(bucket, key, request, ct), null) : await RevalidatedHitAsync(bucket, key, request, ct);
        if (found.Object is { } hit)
        {
            outageReads.FoundLocally(bucket, key, hit.Info, begun);
            return hit;
        }

        // The record as it is before the remote is asked anything: what a read that learns of a new generation replaces.
        var seen = (await whiteouts.Legacy.RefuseAsync(bucket, key, legacyPending, local?.Seen is { } known ? Task.FromResult(known) : RecordOfMissAsync(bucket, key, found.ChunkMarked, ct), ct))!;
        // From here on, the key is the remote's: nothing local stands for it but what was filled.
        var content = local is null && await records.CurrentManifestAsync(bucket, seen, ct) is { } manifest
            ? await chunked.ReadAsync(bucket, key, manifest.ToObjectInfo(key), request, wholeAnswer: null, seen, stale: null, ct)
            : await MissingBucketToldApartAsync(bucket, key, () => ReadRemoteAsync(bucket, key, request, local, found.ChunkMarked ? ChunkMarkers.At(key) : null, seen, early, ct), ct);
        outageReads.Known.Learn(bucket, key, begun);
        return content;
    }

    /// <summary>
    /// The record of a key the local store has no copy of, read only where it may name an object
    /// cached in chunks: a key that holds the marker of one, or any key where markers are not
    /// kept (<see cref="ChunkMarkers"/>). Elsewhere a miss goes straight to the remote; a record
    /// that is there all the same (an evicted copy's check) is found by the write that would
    /// replace it, refused, which reads it then (<see cref="FillRecords.AdoptAsync"/>).
    /// </summary>
    private Task<RecordSeen> RecordOfMissAsync(string bucket, string key, bool chunkMarked, CancellationToken ct) =>
        chunkMarked || !chunkMarkers.Kept ? records.ReadSeenAsync(bucket, key, ct) : Task.FromResult(RecordSeen.Nothing);

    /// <summary>
    /// The local object, served when the remote has not replaced it since it was filled: one read
    /// of the local store, whose answer carries the copy's fill record (<see cref="FillRecords.CheckAsync"/>).
    /// The read's conditions are decided once the copy is known current: they are the current object's.
    /// </summary>
    /// <returns>The hit (or the chunk marker the key holds); else, with no hit, the stale local copy (null when there is none).</returns>
    private async Task<(LocalFind Found, LocalCopy? Stale)> RevalidatedHitAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        LocalFind found;
        try
        {
            found = await localReads.TryOpenAsync(bucket, key, request with { Conditions = ReadConditions.None }, ct);
        }
        // A range past the copy's end: whether the copy is current decides between 416 and the remote's bytes.
        catch (StorageException e) when (e.Fault == StorageFault.RangeNotSatisfiable)
        {
            if (await records.LocalCopyAsync(bucket, key, ct) is { Stale: true } stale) return (LocalFind.Nothing, stale);
            throw;
        }
        if (found.Object is not { } opened) return (found, null);
        try
        {
            var copy = await records.CheckAsync(bucket, opened.Info, ct);
            if (copy.Stale)
            {
                await opened.DisposeAsync();
                return (LocalFind.Nothing, copy);
            }
            request.Conditions.Evaluate(copy.Info);
            return (new LocalFind(localReads.Serve(bucket, key, opened, copy.Info), false), null);
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <param name="chunkMarker">The chunk marker the key holds (its object no longer chunked): a whole fill stores its copy over exactly that.</param>
    /// <param name="early">The remote's GET this read sent beside its local read, if any: a stream through takes it back; a fill adopts it whoever starts that.</param>
    private async Task<ObjectContent> ReadRemoteAsync(string bucket, string key, ObjectReadRequest request, LocalCopy? local, ObjectInfo? chunkMarker, RecordSeen seen,
        EarlyRemoteRead? early, CancellationToken ct)
    {
        if (remote.IsKnownMissing(bucket, key))
            throw remote.Missing(bucket, key);
        // A bucket that keeps versions is read through: a copy stored at the key would be a version clients see.
        if (!settings.Caches(bucket) || await versioning.KeepsVersionsAsync(bucket, ct))
            return await wholeFills.StreamAsync(bucket, key, request, ct, early);
        if (fleet is { } routing)
        {
            // A fleet: the replica that owns the object fills it once into the shared store. An
            // owner that does not answer is held as down, and the owner among the rest asked (the
            // same one every replica turns to), until it is this replica.
            for (var asked = 0; !request.FromPeer && asked < routing.Peers.All.Count && routing.OwnerElsewhere(bucket, key) is { } owner; asked++)
                if (await routing.TryForwardAsync(owner, bucket, key, request, ct) is { } forwarded)
                    return forwarded;
            routing.FillingHere(request.FromPeer);
        }

        // A range: whether the object is chunked decides what to fetch, so ask for its size first
        // (a stale local copy already told us). A whole read learns it from the remote's answer.
        var described = request.Range is null ? null : local?.Remote ?? await remote.HeadAsync(bucket, key, ct);
        var stale = local is { Stale: true } ? local.Info : null;
        if (described is { Size: var size } && size > settings.ChunkThreshold)
        {
            // A whole read of it may have found it chunked meanwhile, and holds chunk 0 in its answer: wait until it has begun filling chunk 0 from it.
            await wholeFills.WhenFinished(bucket, key).WaitAsync(ct);
            await wholeFills.ChunkZeroTaken(bucket, key).WaitAsync(ct);
            return await chunked.ReadAsync(bucket, key, described, request, wholeAnswer: null, seen, stale, ct);
        }
        switch (await wholeFills.FillAsync(bucket, key, request, stale: local?.Info ?? chunkMarker, ct))
        {
            case WholeRead.Served served:
                return served.Content;
            // The fill declined (the object is chunked) and handed its open answer to this reader: chunk 0 is read from it.
            case WholeRead.ChunkedWithAnswer { Answer: var answer }:
                await using (answer)
                    return await chunked.ReadAsync(bucket, key, answer.Info, request, answer, seen, stale, ct);
            // Another reader took the answer and starts chunk 0 with it: wait for that, or this one
            // would ask for chunk 0 again and the answer holding it be let go.
            case WholeRead.ChunkedAfterTaker after:
                await after.TakerStarted.WaitAsync(ct);
                return await chunked.ReadAsync(bucket, key, after.Remote, request, wholeAnswer: null, seen, stale, ct);
            default:
                throw new UnreachableException();
        }
    }
}
