using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Whiteouts;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

/// <summary>Reads served by the local store: counted, traced, and marked as recently used for eviction.</summary>
public sealed class LocalReads([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, CacheIndex cache, OverlayMetrics metrics)
{
    /// <returns>The local object as clients see it, or null when the local store does not hold it.</returns>
    /// <exception cref="StorageException">NoSuchKey when the key holds a whiteout (<see cref="WhiteoutMarker"/>): the key was deleted.</exception>
    public async Task<ObjectContent?> TryGetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct) =>
        await TryOpenAsync(bucket, key, request, ct) is { } stored ? Serve(bucket, key, stored, FillMetadata.Strip(stored.Info)) : null;

    /// <summary>The local object as stored (its fill record in its metadata, if any), not yet served; null when the local store does not hold it.</summary>
    /// <exception cref="StorageException">NoSuchKey when the key holds a whiteout.</exception>
    public async Task<ObjectContent?> TryOpenAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        ObjectContent? content;
        try
        {
            content = await local.TryGetObjectAsync(bucket, key, request, ct);
        }
        // A whiteout answers a range or a condition as the small object it is (416, 412, 304):
        // only then is it looked at again, to answer as S3 does for a missing key.
        catch (StorageException e) when (e.IsConditionAnswer)
        {
            if (await local.FindObjectAsync(bucket, key, ct) is { } held && WhiteoutMarker.IsMarker(held)) throw WhiteoutMarker.Deleted(held, key);
            throw;
        }
        if (content is null) return null;
        if (WhiteoutMarker.IsMarker(content.Info))
        {
            await content.DisposeAsync();
            throw WhiteoutMarker.Deleted(content.Info, key);
        }
        return content;
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
