using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// The overlay's read of an object cached in chunks (<see cref="ChunkedReads"/>): started over once
/// when the remote turns out to hold a new generation, and retiring the whole copy it replaces.
/// </summary>
internal sealed class ChunkedObjectReads([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings, ChunkedReads chunks,
    FillRecords records, RemoteSource remote, WholeObjectFills wholeFills, CacheIndex cache, ILogger<ChunkedObjectReads> logger)
{
    /// <summary>A chunked read; when the remote turns out to hold a new generation before any byte is served, it starts over once with it.</summary>
    /// <param name="wholeAnswer">The open whole answer that described <paramref name="described"/>, when the caller holds one: chunk 0 is read from it (see <see cref="ChunkedReads.ReadAsync"/>); the caller disposes it after.</param>
    /// <param name="seen">The object's record as read before the remote described <paramref name="described"/> (null: record nothing).</param>
    /// <param name="stale">The local copy of an older generation, filled whole, that <paramref name="described"/> replaces.</param>
    public async Task<ObjectContent> ReadAsync(string bucket, string key, ObjectInfo described, ObjectReadRequest request, DeclinedAnswer? wholeAnswer, RecordSeen? seen, ObjectInfo? stale, CancellationToken ct)
    {
        try
        {
            // Once the manifest replaces the stale copy's fill record, that copy would pass for a client's object and be served again.
            if (stale is not null && !await RetireStaleCopyAsync(bucket, key, stale, ct)) seen = null;
            return await chunks.ReadAsync(bucket, key, described, request, wholeAnswer, seen, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.SourceChanged)
        {
            var seenNow = await records.ReadSeenAsync(bucket, key, ct);
            var fresh = await remote.HeadAsync(bucket, key, ct);
            if (fresh.Size > settings.ChunkThreshold) return await chunks.ReadAsync(bucket, key, fresh, request, wholeAnswer: null, seenNow, ct);
            // The old generation's manifest must not outlive the new one's first byte (it would serve the old chunks again).
            if (!seenNow.Names(fresh, chunked: false) && !await records.AdoptAsync(bucket, fresh, chunkSize: 0, seenNow))
                throw ChunkedReads.RemoteChanged();
            var whole = await wholeFills.FillAsync(bucket, key, request, stale: null, ct);
            if (whole is WholeRead.Served served) return served.Content;
            // Chunked again by now: this read has started over once already.
            if (whole is WholeRead.ChunkedWithAnswer { Answer: var unread }) await unread.DisposeAsync();
            throw ChunkedReads.RemoteChanged();
        }
    }

    /// <summary>Removes a filled local copy the remote has replaced, unless a client wrote the key since (another ETag).</summary>
    /// <returns>False when it could not (logged): the read then records nothing, so the copy stays stale, never current.</returns>
    private async Task<bool> RetireStaleCopyAsync(string bucket, string key, ObjectInfo stale, CancellationToken ct)
    {
        try
        {
            if (await local.FindObjectAsync(bucket, key, ct) is { } held && held.ETag == stale.ETag)
                await local.DeleteObjectAsync(bucket, key, ct);
            cache.Remove(new CacheEntryId(CacheEntryKind.Object, bucket, key));
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not remove the stale copy of {Bucket}/{Key}", bucket, key);
            return false;
        }
    }
}
