using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// A system events are delivered to (a webhook, a broker, a database), declared by settings and
/// named by its ARN. A send either reaches the target (its server acknowledged it) or throws; the
/// delivery retries what throws, so a send must be safe to repeat.
/// </summary>
internal interface INotificationTarget : IAsyncDisposable
{
    /// <summary><c>arn:minio:sqs::&lt;ID&gt;:&lt;type&gt;</c>.</summary>
    string Arn { get; }

    /// <summary>
    /// How many events may be on their way at once, each of another key (a key's events are sent
    /// one after another): what the target's client can have in flight on its connection.
    /// </summary>
    int InFlight { get; }

    /// <summary>Sends one event; called concurrently (up to <see cref="InFlight"/>) for events of different keys.</summary>
    Task SendAsync(OutboxEvent e, CancellationToken ct);
}
