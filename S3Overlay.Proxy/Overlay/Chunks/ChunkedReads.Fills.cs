using System.Collections.Concurrent;
using S3Overlay.Overlay.Fills;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;
using static S3Overlay.Telemetry.OverlayTelemetry;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// The chunks' fills: one per chunk however many readers want it, read from the open whole answer
/// of the generation when it gives that chunk next, else from the chunk's owner in a fleet, else
/// from the remote; and each chunk stored as its fill reads it.
/// </summary>
internal sealed partial class ChunkedReads
{
    // The open whole answers that give chunks (WholeAnswerChunks), by generation: at most one each.
    private readonly ConcurrentDictionary<string, WholeAnswerChunks> _answers = new();

    /// <summary>
    /// One remote GET per chunk, however many readers want it: the chunk's own ranged GET, or, when
    /// an open whole answer of the generation gives this chunk next, that answer's bytes.
    /// </summary>
    /// <param name="lookedAt">When the caller's last look for the chunk (in flight, then cached) began; null when it holds the answer to start it with.</param>
    /// <returns>Null when a fill of the chunk ended since <paramref name="lookedAt"/>: the chunk is cached now, look again.</returns>
    private (RemoteFill Fill, bool Joined)? JoinFill(ChunkedObject chunked, int index, long? lookedAt)
    {
        var range = chunked.Layout.RangeOf(index);
        return _fills.JoinOrStart(chunked.ChunkKey(index), lookedAt, (f, _) =>
        {
            var answer = AnswerOf(chunked);
            var handed = answer?.TryClaim(index);
            if (!StartFill(f, chunked, index, range, handed) && handed is not null) answer!.Close();
        }, startedBy: chunked);
    }

    /// <summary>Keeps <paramref name="whole"/> as the generation's open answer, unless one is open already (then it is let go: null).</summary>
    private WholeAnswerChunks? Keep(ChunkedObject chunked, ObjectContent whole)
    {
        WholeAnswerChunks? answer = null;
        answer = new WholeAnswerChunks(whole, chunked.Layout,
            elsewhere: async index => await InFlightOrCachedAsync(chunked, index, CancellationToken.None) is null,
            work,
            closed: () => _answers.TryRemove(new KeyValuePair<string, WholeAnswerChunks>(chunked.Generation, answer!)));
        if (_answers.TryAdd(chunked.Generation, answer)) return answer;
        whole.Body.Dispose();
        return null;
    }

    private WholeAnswerChunks? AnswerOf(ChunkedObject chunked) => _answers.TryGetValue(chunked.Generation, out var answer) ? answer : null;

    /// <param name="handed">Opens the chunk from a whole answer (null once that answer was let go before it) instead of asking the remote.</param>
    /// <returns>False when shutdown has begun (nothing runs, so <paramref name="handed"/> is not opened).</returns>
    /// <remarks>
    /// In a fleet, a chunk another replica owns is that replica's to fill and store: this fill only
    /// streams its answer (stores nothing), and reads the remote itself only when the owner does not answer.
    /// </remarks>
    private bool StartFill(RemoteFill fill, ChunkedObject chunked, int index, ByteRange range, Func<CancellationToken, Task<ObjectContent?>>? handed)
    {
        // If-Match: a remote that honours it refuses a replaced object instead of sending its bytes.
        var request = new ObjectReadRequest(range, new ReadConditions(chunked.Remote.ETag, null, null, null));
        Task<ObjectContent> FromRemote(CancellationToken c) => remote.GetAsync(chunked.Bucket, chunked.Key, request, c);
        var owner = handed is null && chunked.AsksOwners ? fleet!.ChunkOwnerElsewhere(chunked.Bucket, chunked.Key, index) : null;
        if (owner is null && handed is null) fleet?.FillingHere(forPeer: false);
        // Whether this replica reads the remote (and stores the chunk): known once the owner answered, or did not.
        var storesHere = owner is null;
        return fill.Start(work,
            openRemote: c => handed is not null ? FromAnswerAsync(handed, FromRemote, c)
                : owner is not null ? fleet!.OpenChunkAsync(owner, chunked.Bucket, chunked.Key, index, request, c2 =>
                {
                    storesHere = true;
                    return FromRemote(c2);
                }, c)
                : FromRemote(c),
            // Whatever the remote honours, the bytes must be this generation's and exactly this chunk.
            accept: answer => answer.Info.ETag == chunked.Remote.ETag && answer.Info.Size == chunked.Remote.Size
                              && answer.Range?.Offset == range.First && answer.Length == chunked.Layout.LengthOf(index),
            // A chunk the owner sends is the owner's to store; a fill that stores reads to the end even if its readers go.
            store: settings.Caches(chunked.Bucket) ? (_, body) => storesHere ? StoreAsync(chunked, index, body) : Task.CompletedTask : null,
            mapError: e => e is StorageException { Fault: StorageFault.PreconditionFailed } ? RemoteChanged() : e,
            logger,
            OverlaySpans.Start(owner is null ? Spans.ChunkFill : Spans.ForwardedFill, chunked.Bucket, chunked.Key)?.SetTag(Tags.ChunkIndex, index)
                .SetTag(Tags.Coalesced, false).SetTag(Tags.Owner, owner?.Url.ToString()));
    }

    private static async Task<ObjectContent> FromAnswerAsync(Func<CancellationToken, Task<ObjectContent?>> handed, Func<CancellationToken, Task<ObjectContent>> fromRemote, CancellationToken ct) =>
        await handed(ct) ?? await fromRemote(ct);

    /// <summary>Stores a chunk (the read that needed it has recorded its generation already).</summary>
    private async Task StoreAsync(ChunkedObject chunked, int index, FillBody body)
    {
        await localBuckets.EnsureAsync(settings.CacheBucket, CancellationToken.None);
        try
        {
            await body.StoreAsync(local, staging, settings.CacheBucket, chunked.ChunkKey(index),
                new ObjectWrite { ContentLength = chunked.Layout.LengthOf(index), Durability = Durability.Unflushed });
        }
        catch (Exception e)
        {
            localBuckets.ForgetIfGone(settings.CacheBucket, e);
            // A chunk key is the overlay's alone: whatever a non-atomic store kept of it goes.
            await DiscardAsync(chunked.ChunkKey(index));
            throw;
        }
        cache.RecordChunk(chunked.RemoteBucket, chunked.Key, chunked.Layout.LengthOf(index));
        evictor.EvictIfOverHighWatermark();
        remote.Forget(chunked.Bucket, chunked.Key);
    }

    private async Task DiscardAsync(string chunkKey)
    {
        try
        {
            await local.DeleteObjectAsync(settings.CacheBucket, chunkKey, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not remove the partial chunk {Key}", chunkKey);
        }
    }
}
