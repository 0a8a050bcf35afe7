using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using static S3Overlay.Telemetry.OverlayTelemetry;
using Results = S3Overlay.Telemetry.OverlayTelemetry.Results;

namespace S3Overlay.Overlay;

/// <summary>Reads served by the local store: counted, traced, and marked as recently used for eviction.</summary>
public sealed class LocalReads(IObjectStore local, CacheIndex cache, OverlayMetrics metrics)
{
    /// <returns>The local object, or null when the local store does not hold it.</returns>
    public async Task<ObjectContent?> TryGetAsync(string bucket, string key, ObjectReadRequest request, CancellationToken ct)
    {
        if (await local.TryGetObjectAsync(bucket, key, request, ct) is not { } content) return null;
        cache.Touch(CacheEntryKind.Object, bucket, key);
        metrics.CountRequest(Results.LocalHit);
        var span = OverlaySpans.Start(Spans.LocalHit, bucket, key);
        return new ObjectContent(content.Info, new MeasuredBody(content.Body, Sources.Local, span, metrics), content.Range);
    }
}
