using System.Diagnostics.Metrics;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// What the remote's events did, for the metrics (on the proxy's <c>S3Overlay</c> meter) and the
/// status page: events by outcome, requests refused, the age of the last event, reconcile runs and
/// the stale copies they dropped.
/// </summary>
internal sealed class EventStatistics
{
    private readonly TimeProvider _clock;
    private long _received, _applied, _stale, _unmapped, _notChanges, _refused, _reconciles, _reconcileDropped, _lastAt;

    public EventStatistics(OverlayMetrics metrics, TimeProvider clock)
    {
        _clock = clock;
        Events = metrics.Meter.CreateCounter<long>("overlay.remote_events", "{event}", "The remote's change events taken, by overlay.outcome (applied, stale, unmapped, not_a_change)");
        Refused = metrics.Meter.CreateCounter<long>("overlay.remote_events.refused", "{request}", "Deliveries of events refused (no or a wrong token, a bad signature, a body that is not an event)");
        Reconciles = metrics.Meter.CreateCounter<long>("overlay.remote_events.reconciles", "{run}", "Reconciles of what is cached with the remote's listing (at start, after a reconnect)");
        ReconcileDropped = metrics.Meter.CreateCounter<long>("overlay.remote_events.reconcile_dropped", "{object}", "Cached copies a reconcile found changed on the remote and dropped");
        metrics.Meter.CreateObservableGauge("overlay.remote_events.last_age", () => LastAge?.TotalSeconds ?? double.NaN, "s", "Seconds since the last change event was taken");
    }

    public Counter<long> Events { get; }
    public Counter<long> Refused { get; }
    public Counter<long> Reconciles { get; }
    public Counter<long> ReconcileDropped { get; }

    public void Count(EventOutcome outcome)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Exchange(ref _lastAt, _clock.GetTimestamp());
        switch (outcome)
        {
            case EventOutcome.Applied: Interlocked.Increment(ref _applied); break;
            case EventOutcome.Stale: Interlocked.Increment(ref _stale); break;
            case EventOutcome.Unmapped: Interlocked.Increment(ref _unmapped); break;
            default: Interlocked.Increment(ref _notChanges); break;
        }
        Events.Add(1, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Outcome, OutcomeName(outcome)));
    }

    public void CountRefused()
    {
        Interlocked.Increment(ref _refused);
        Refused.Add(1);
    }

    public void CountReconcile(long dropped)
    {
        Interlocked.Increment(ref _reconciles);
        Interlocked.Add(ref _reconcileDropped, dropped);
        Reconciles.Add(1);
        ReconcileDropped.Add(dropped);
    }

    public static string OutcomeName(EventOutcome outcome) => outcome switch
    {
        EventOutcome.Applied => "applied",
        EventOutcome.Stale => "stale",
        EventOutcome.Unmapped => "unmapped",
        _ => "not_a_change",
    };

    /// <summary>Time since the last event was taken; null before the first.</summary>
    public TimeSpan? LastAge => Interlocked.Read(ref _lastAt) is var at and not 0 ? _clock.GetElapsedTime(at) : null;

    public EventCounts Snapshot() => new(Interlocked.Read(ref _received), Interlocked.Read(ref _applied), Interlocked.Read(ref _stale),
        Interlocked.Read(ref _unmapped), Interlocked.Read(ref _notChanges), Interlocked.Read(ref _refused), Interlocked.Read(ref _reconciles),
        Interlocked.Read(ref _reconcileDropped), LastAge?.TotalSeconds);
}

/// <summary>The figures of <see cref="EventStatistics"/> at one moment (the status page's JSON).</summary>
internal sealed record EventCounts(long Received, long Applied, long Stale, long Unmapped, long NotChanges, long Refused, long Reconciles,
    long ReconcileDropped, double? LastEventAgeSeconds);
