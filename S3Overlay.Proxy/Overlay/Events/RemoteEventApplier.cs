using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// What a change the remote announced does: for every local bucket that reads the remote bucket,
/// the copy cached of the key (whole, or chunks and their manifest, and its record) is no longer
/// served unless it is the announced generation, and the remote's "no such key" and the remote
/// bucket's listing pages remembered are forgotten. What clients wrote or deleted here (an
/// object of the local store's own, a whiteout) is left as it is: local wins, as always.
/// </summary>
/// <remarks>
/// The cached copy is dropped in the local store, where every replica and the next run find it
/// gone. A fill of the key under way when the event comes either stores before the drop (which
/// waits for it) or, taking the event into account, does not store the old generation at all
/// (<see cref="RemoteChanges.Superseded"/>).
/// </remarks>
internal sealed class RemoteEventApplier(RemoteSource remote, RemoteChanges changes, FillRecords records, CacheEvictor evictor, WholeObjectFills wholeFills,
    [FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, OverlaySettings settings, EventStatistics statistics, ILogger<RemoteEventApplier> logger)
{
    public async Task<EventOutcome> ApplyAsync(RemoteEvent e, CancellationToken ct)
    {
        var outcome = await TakeAsync(e, ct);
        statistics.Count(outcome);
        return outcome;
    }

    private async Task<EventOutcome> TakeAsync(RemoteEvent e, CancellationToken ct)
    {
        if (!S3EventRecords.IsChange(e)) return EventOutcome.NotAChange;
        var buckets = remote.LocalBucketsOf(e.RemoteBucket).Where(b => b != settings.CacheBucket).ToList();
        if (buckets.Count == 0) return EventOutcome.Unmapped;
        if (!changes.TryTake(e)) return EventOutcome.Stale;
        using var span = OverlayTelemetry.Source.StartActivity(OverlayTelemetry.Spans.RemoteEvent);
        span?.SetTag(OverlayTelemetry.Tags.Bucket, e.RemoteBucket).SetTag(OverlayTelemetry.Tags.Key, e.Key).SetTag(OverlayTelemetry.Tags.EventName, e.EventName);
        remote.ForgetChanged(e.RemoteBucket, e.Key);
        var dropped = false;
        foreach (var bucket in buckets) dropped |= await DropOlderAsync(bucket, e, ct);
        span?.SetTag(OverlayTelemetry.Tags.Dropped, dropped);
        return EventOutcome.Applied;
    }

    /// <returns>Whether a cached copy was dropped.</returns>
    private async Task<bool> DropOlderAsync(string bucket, RemoteEvent e, CancellationToken ct)
    {
        // A fill of the old generation that began before the event stores before this looks, or not at all.
        await wholeFills.WhenFinished(bucket, e.Key).WaitAsync(ct);
        if (!await HoldsOtherThanAsync(bucket, e, ct)) return false;
        var evicted = await evictor.EvictKeyAsync(bucket, e.Key, ct);
        if (evicted.Objects + evicted.ChunkedObjects > 0)
            logger.LogDebug("{Bucket}/{Key} changed on the remote ({Event}): its cached copy is dropped", bucket, e.Key, e.EventName);
        return evicted.Objects + evicted.ChunkedObjects > 0;
    }

    /// <summary>Whether the local store caches a generation of the key other than the event's (whole, or chunked by its manifest).</summary>
    public async Task<bool> HoldsOtherThanAsync(string bucket, RemoteEvent e, CancellationToken ct)
    {
        bool Other(string etag) => e.Removed || e.ETag is null || ReadConditions.Unquote(etag) != e.ETag;
        if (await local.FindObjectAsync(bucket, e.Key, ct) is { } held && FillMetadata.RecordOf(held) is { } filled && Other(filled.ETag)) return true;
        return await records.ReadAsync(e.RemoteBucket, e.Key, ct) is { } record && Other(record.ETag);
    }
}
