namespace S3Overlay.Telemetry.Status;

/// <summary>The overlay's figures at one moment, as <c>/_overlay/status</c> shows them.</summary>
/// <param name="RequestsByResult">Overlay reads by <c>overlay.result</c> (local_hit, remote_fill, chunked, miss).</param>
/// <param name="LocalBytes">Body bytes served from the local store.</param>
/// <param name="RemoteBytes">Body bytes served from the remote (streamed during a fill).</param>
/// <param name="FetchedBytes">Body bytes read from the remote, served or not.</param>
/// <param name="CacheSizeBytes">Null when the overlay reports no cache size (no overlay, or nothing registered).</param>
internal sealed record OverlayStatus(
    DateTimeOffset Since,
    DateTimeOffset Now,
    IReadOnlyDictionary<string, long> RequestsByResult,
    long LocalBytes,
    long RemoteBytes,
    long FetchedBytes,
    long FillsInFlight,
    long FillsCompleted,
    double? AverageFillSeconds,
    long CoalescedWaiters,
    long? CacheSizeBytes)
{
    public long Requests => RequestsByResult.Values.Sum();

    /// <summary>Reads answered wholly from the local store, over the reads that found an object (misses excluded).</summary>
    public double? HitRatio
    {
        get
        {
            var found = Requests - Count(OverlayTelemetry.Results.Miss);
            return found == 0 ? null : (double)Count(OverlayTelemetry.Results.LocalHit) / found;
        }
    }

    /// <summary>Bytes served from the local store over all bytes served.</summary>
    public double? ByteHitRatio => LocalBytes + RemoteBytes == 0 ? null : (double)LocalBytes / (LocalBytes + RemoteBytes);

    public long Count(string result) => RequestsByResult.GetValueOrDefault(result);
}
