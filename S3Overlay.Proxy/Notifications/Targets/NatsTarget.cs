using System.Text;
using NATS.Client.Core;
using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's NATS target (core NATS): each event published on the subject. Core NATS has no
/// acknowledgement, so a send is known to have reached the server only once a PING sent after it
/// is answered (the server handles a connection's messages in order): only then is it delivered.
/// </summary>
internal sealed class NatsTarget(string arn, NatsOpts options, string subject) : INotificationTarget
{
    private readonly NatsConnection _connection = new(options);

    public string Arn => arn;

    /// <summary>Publishes and their PINGs share the connection; each send waits for a PONG after its own publish.</summary>
    public int InFlight => 16;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        await _connection.PublishAsync(subject, Encoding.UTF8.GetBytes(e.Body), cancellationToken: ct);
        await _connection.PingAsync(ct);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
