using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Whiteouts;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

/// <summary>What the local store holds at a key: an object (opened, or served), the marker of a chunked object, or nothing.</summary>
/// <param name="ChunkMarked">The key holds a <see cref="ChunkMarkers"/> marker: the object is cached in chunks, its record says how.</param>
internal sealed record LocalFind(ObjectContent? Object, bool ChunkMarked)
{
    public static readonly LocalFind Nothing = new(null, false);
}

/// <summary>Reads served by the local store: counted, traced, and marked as recently used for eviction.</summary>
internal sealed class LocalReads([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, CacheIndex cache, Keys.LocalKeys localKeys, OverlayMetrics metrics)
{
    /// <returns>The local object as clients see it (a hit), a chunk marker, or nothing.</returns>
    /// <exception cref="StorageException">NoSuchKey when the key holds a whiteout (<see cref="WhiteoutMarker"/>): the key was deleted.</exception>
    public async Task<LocalFind> TryGetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        var found = await TryOpenAsync(bucket, key, request, ct);
        return found.Object is { } stored ? new LocalFind(Serve(bucket, key, stored, FillMetadata.Strip(stored.Info)), false) : found;
    }

    /// <summary>The local object as stored (its fill record in its metadata, if any), not yet served; or a chunk marker, or nothing.</summary>
    /// <exception cref="StorageException">NoSuchKey when the key holds a whiteout.</exception>
    public async Task<LocalFind> TryOpenAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        ObjectContent? content;
        try
        {
            content = await local.TryGetObjectAsync(bucket, key, request with { NotModifiedIfETag = ChunkMarkers.ETag }, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.NotModified && e.Headers.TryGetValue("ETag", out var etag) && etag == ChunkMarkers.ETag)
        {
            localKeys.Note(bucket, key);
            return new LocalFind(null, true);
        }
        // A marker answers a range or a condition as the small object it is (416, 412, 304), and a
        // customer's key as an object stored in the clear (400: the encryption layer beneath finds
        // no envelope): only then is it looked at again, to answer as S3 does for what it stands for.
        catch (StorageException e) when (e.IsConditionAnswer || (e.Fault == StorageFault.InvalidRequest && request.Encryption is not null))
        {
            if (await local.FindObjectAsync(bucket, key, ct) is { } held)
            {
                if (WhiteoutMarker.IsMarker(held)) throw WhiteoutMarker.Deleted(held, key);
                if (ChunkMarkers.IsMarker(held)) return new LocalFind(null, true);
            }
            throw;
        }
        if (content is null) return LocalFind.Nothing;
        // Whatever it is (a hit, a whiteout, a marker), the key is held: a key another process wrote is learnt here.
        localKeys.Note(bucket, key);
        if (WhiteoutMarker.IsMarker(content.Info))
        {
            await content.DisposeAsync();
            throw WhiteoutMarker.Deleted(content.Info, key);
        }
        if (ChunkMarkers.IsMarker(content.Info))
        {
            await content.DisposeAsync();
            return new LocalFind(null, true);
        }
        return new LocalFind(content, false);
    }

    /// <summary>Serves an opened local object (<see cref="TryOpenAsync"/>) described as <paramref name="shown"/>: a local hit.</summary>
    public ObjectContent Serve(string bucket, string key, ObjectContent opened, ObjectInfo shown)
    {
        cache.Touch(CacheEntryKind.Object, bucket, key);
        metrics.CountRequest(Results.LocalHit);
        var span = OverlaySpans.Start(Spans.LocalHit, bucket, key);
        return new ObjectContent(shown, new MeasuredBody(opened.Body, Sources.Local, span, metrics), opened.Range);
    }
}
