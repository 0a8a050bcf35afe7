namespace S3Overlay.Overlay.Events;

/// <summary>What the status page shows of the remote's events: how they come, what they did, the last reconcile.</summary>
/// <param name="Http">Whether <c>POST /_overlay/events</c> takes deliveries.</param>
/// <param name="AmqpBroker">The AMQP broker followed (no password); null without one.</param>
/// <param name="AmqpConnected">Whether its connection is up now; null without one.</param>
/// <param name="AmqpError">Why its last connection failed or broke, if one did.</param>
internal sealed record RemoteEventsStatus(bool Http, string? AmqpBroker, bool? AmqpConnected, string? AmqpError, EventCounts Counts, ReconcileRun? LastReconcile)
{
    /// <returns>Null when events are off.</returns>
    public static RemoteEventsStatus? Of(IServiceProvider services)
    {
        if (services.GetService<EventStatistics>() is not { } statistics) return null;
        var settings = services.GetRequiredService<RemoteEventSettings>();
        var amqp = services.GetService<AmqpEventConsumer>();
        return new RemoteEventsStatus(settings.Token is not null, amqp?.Broker, amqp?.Connected, amqp?.LastError, statistics.Snapshot(),
            services.GetService<StartupReconcile>()?.Last);
    }
}
