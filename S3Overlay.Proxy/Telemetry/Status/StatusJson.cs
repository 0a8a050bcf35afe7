namespace S3Overlay.Telemetry.Status;

/// <summary>The JSON shape of <c>/_overlay/status</c> (camelCase on the wire); documented in docs/observability.md.</summary>
internal sealed record StatusJson(
    DateTimeOffset Since,
    double UptimeSeconds,
    StatusJson.RequestFigures Requests,
    double? HitRatio,
    StatusJson.ByteFigures Bytes,
    double? ByteHitRatio,
    StatusJson.FillFigures Fills,
    long? CacheSizeBytes,
    // A proxy on its own has no fleet: the field is left out rather than null.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Overlay.Fleet.FleetStatus? Fleet,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Lifecycle.LifecycleStatus? Lifecycle = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Overlay.Events.RemoteEventsStatus? RemoteEvents = null,
    Notifications.Delivery.NotificationStatus? Notifications = null)
{
    public sealed record RequestFigures(long Total, IReadOnlyDictionary<string, long> ByResult);

    public sealed record ByteFigures(long Local, long Remote, long FetchedFromRemote);

    public sealed record FillFigures(long InFlight, long Completed, double? AverageSeconds, long CoalescedWaiters);

    /// <param name="fleet">The fleet this replica is one of; null (left out) for a proxy on its own.</param>
    /// <param name="lifecycle">The lifecycle scanner's last and current scans; null (left out) when it is off.</param>
    /// <param name="events">The remote's change events; null (left out) when they are off.</param>
    /// <param name="notifications">The notification targets' figures; null (left out) when none is declared.</param>
    public static StatusJson From(OverlayStatus s, Overlay.Fleet.FleetStatus? fleet = null, Lifecycle.LifecycleStatus? lifecycle = null, Overlay.Events.RemoteEventsStatus? events = null,
        Notifications.Delivery.NotificationStatus? notifications = null) => new(
        s.Since,
        Math.Round((s.Now - s.Since).TotalSeconds, 1),
        new RequestFigures(s.Requests, s.RequestsByResult),
        s.HitRatio,
        new ByteFigures(s.LocalBytes, s.RemoteBytes, s.FetchedBytes),
        s.ByteHitRatio,
        new FillFigures(s.FillsInFlight, s.FillsCompleted, s.AverageFillSeconds, s.CoalescedWaiters),
        s.CacheSizeBytes,
        fleet,
        lifecycle,
        events, notifications);
}

/// <summary><see cref="StatusJson"/>'s serializer, generated when the project compiles (a Native AOT build has no reflection to serialize it).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(StatusJson))]
internal sealed partial class StatusJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
