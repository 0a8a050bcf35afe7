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

    Task SendAsync(OutboxEvent e, CancellationToken ct);
}
