using System.Diagnostics.Metrics;
using S3Overlay.Telemetry;

namespace S3Overlay.Notifications.Delivery;

/// <summary>
/// Each target's figures as instruments of the <c>S3Overlay</c> meter (so in <c>/_overlay/metrics</c>
/// and OTLP), tagged <c>notify.target</c> with its ARN; read from the targets' statistics when observed.
/// </summary>
internal sealed class NotificationMetrics
{
    public const string TargetTag = "notify.target";

    public NotificationMetrics(IMeterFactory meters, NotificationOutbox outbox, TimeProvider clock)
    {
        var meter = meters.Create(OverlayTelemetry.Name);
        Measurement<long>[] Each(Func<TargetStatistics, long> figure) =>
            [.. outbox.Statistics.Values.Select(s => new Measurement<long>(figure(s), new KeyValuePair<string, object?>(TargetTag, s.Arn)))];
        meter.CreateObservableGauge("notify.queued", () => Each(s => s.Queued), "{event}", "Events kept for a target and not yet delivered");
        meter.CreateObservableCounter("notify.delivered", () => Each(s => s.Delivered), "{event}", "Events a target took");
        meter.CreateObservableCounter("notify.failed", () => Each(s => s.Failed), "{attempt}", "Delivery attempts that failed; each is retried, so these are the retries");
        meter.CreateObservableCounter("notify.redelivered", () => Each(s => s.Redelivered), "{event}", "Events sent again after a restart (possible duplicates)");
        meter.CreateObservableGauge("notify.oldest_undelivered.age", () => outbox.Statistics.Values.Select(s => new Measurement<double>(
            s.OldestUndelivered is { } oldest ? Math.Max(0, (clock.GetUtcNow() - oldest).TotalSeconds) : 0, new KeyValuePair<string, object?>(TargetTag, s.Arn))),
            "s", "How long the oldest event not yet delivered to a target has waited (0: none waits)");
        meter.CreateObservableGauge("notify.outbox.size", () => outbox.Log.Bytes, "By", "Bytes the notification outbox keeps");
        meter.CreateObservableCounter("notify.refused_writes", () => outbox.Refused, "{request}", "Writes refused with 503 SlowDown because the outbox was full");
    }
}
