using System.Diagnostics;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Fills;
using static S3Overlay.Telemetry.OverlayTelemetry;

namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// The overlay's part for a fleet of replicas over one shared local store: which replica owns a
/// remote object (or chunk), and asking that owner for a miss this replica does not own. The
/// owner fills once (its own single-flight) into the shared store; the asker streams its answer
/// and stores nothing, so the remote is asked once per fleet. An owner that does not answer is
/// skipped for a while (<see cref="FleetSettings.DownFor"/>): the asker fills itself, and
/// ownership moves by the hash.
/// </summary>
/// <remarks>
/// Chunk 0 is owned by the object's owner: that is the replica whose whole GET finds the object
/// large, and fills chunk 0 from that answer (<see cref="ChunkedReads"/>).
/// </remarks>
internal sealed class FleetRouting(PeerSet peers, RemoteSource remote, OverlayMetrics metrics, ILogger<FleetRouting> logger)
{
    private long _forwarded;
    private long _filledHere;
    private long _filledForPeers;

    public PeerSet Peers => peers;

    /// <summary>Misses (objects and chunks) this replica forwarded to their owner and had answered.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Misses (objects and chunks) this replica read from the remote itself: its own, a peer's, or one whose owner was down.</summary>
    public long FilledHere => Interlocked.Read(ref _filledHere);

    /// <summary>Of <see cref="FilledHere"/>, those a peer forwarded.</summary>
    public long FilledForPeers => Interlocked.Read(ref _filledForPeers);

    /// <summary>The owner of a remote object, when it is another replica (null: this one owns it).</summary>
    public Peer? OwnerElsewhere(string bucket, string key) => Elsewhere(bucket + "/" + key);

    /// <summary>The owner of one chunk of a remote object, when it is another replica.</summary>
    public Peer? ChunkOwnerElsewhere(string bucket, string key, int index) =>
        Elsewhere(index == 0 ? bucket + "/" + key : bucket + "/" + key + "#" + index);

    private Peer? Elsewhere(string unit) => peers.OwnerOf(unit) is { IsSelf: false } owner ? owner : null;

    /// <summary>This replica reads a miss from the remote itself.</summary>
    public void FillingHere(bool forPeer)
    {
        Interlocked.Increment(ref _filledHere);
        if (forPeer) Interlocked.Increment(ref _filledForPeers);
    }

    /// <summary>
    /// Asks <paramref name="owner"/> for an object's miss; null when it did not answer in time (or
    /// is going away: 503), and is then skipped for a while. Any other answer is the owner's, passed on.
    /// </summary>
    /// <remarks>Should the owner break off mid-body (killed), the rest comes from the remote: the read still succeeds.</remarks>
    public async Task<ObjectContent?> TryForwardAsync(Peer owner, string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        var span = OverlaySpans.Start(Spans.ForwardedFill, bucket, key)?.SetTag(Tags.Owner, owner.Url.ToString());
        if (await AskAsync(owner, owner.Store!, bucket, key, request, span, ct) is not { } answer) return null;
        metrics.CountRequest(OverlayTelemetry.Results.Forwarded);
        var (offset, length) = (answer.Range?.Offset ?? 0, answer.Length);
        var body = new RemoteFallback(answer.Body, offset, length, (from, count, c) => remote.ReadRestAsync(bucket, key, answer.Info, from, count, c),
            fallsBackOn: e => e is IOException or HttpRequestException or StorageException);
        return new ObjectContent(answer.Info, new MeasuredBody(body, Sources.Peer, span, metrics), answer.Range) { VerifiedBy = answer.VerifiedBy };
    }

    /// <summary>
    /// Opens one chunk's bytes from <paramref name="owner"/>, which fills and stores it. An owner
    /// that does not answer is held as down and the chunk's owner among the rest asked, until it is
    /// this replica: then <paramref name="fillHere"/> reads the remote (and this replica stores the chunk).
    /// </summary>
    public async Task<ObjectContent> OpenChunkAsync(Peer? owner, string bucket, string key, int index, ObjectReadRequest request,
        Func<CancellationToken, Task<ObjectContent>> fillHere, CancellationToken ct)
    {
        for (var asked = 0; asked < peers.All.Count && owner is not null; asked++, owner = ChunkOwnerElsewhere(bucket, key, index))
            if (await AskAsync(owner, owner.ChunkStore!, bucket, key, request, span: null, ct) is { } answer) return answer;
        FillingHere(forPeer: false);
        return await fillHere(ct);
    }

    /// <returns>Null when the owner did not answer in time or is going away (503): it is held as down for a while.</returns>
    private async Task<ObjectContent?> AskAsync(Peer owner, IObjectStore store, string bucket, string key, ObjectReadRequest request, Activity? span, CancellationToken ct)
    {
        try
        {
            var answer = await store.GetObjectAsync(bucket, key, request, ct);
            owner.Answered();
            Interlocked.Increment(ref _forwarded);
            return answer;
        }
        catch (StorageException e) when (e.UnreachableStore is not null || e.Fault is StorageFault.StoreUnreachable or StorageFault.Busy or StorageFault.Unavailable)
        {
            owner.MarkDown(peers.Settings.DownFor);
            logger.LogWarning("The owner of {Bucket}/{Key}, {Peer}, did not answer ({Reason}): filled here, and the peer skipped for {Seconds} s",
                bucket, key, owner.Url, e.Message, peers.Settings.DownFor.TotalSeconds);
            span?.SetStatus(ActivityStatusCode.Error, e.Message).Dispose();
            return null;
        }
        catch (Exception e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message).Dispose();
            throw;
        }
    }
}
