using System.Text;
using RabbitMQ.Client;
using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's AMQP 0-9-1 target (RabbitMQ): each event published to the exchange with the routing
/// key, the exchange declared as configured. Publisher confirms are on, so a send returns only once
/// the broker has taken the message (a nack or a lost connection throws, and is retried). Sends of
/// different keys share the channel: the client puts their frames on it one after another and each
/// waits for its own confirm, so they are in flight together. A broken channel is dropped and made
/// again at the next attempt.
/// </summary>
internal sealed class AmqpTarget(string arn, AmqpTargetOptions options) : INotificationTarget
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private volatile IChannel? _channel;

    public string Arn => arn;

    public int InFlight => 16;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        var channel = await ChannelAsync(ct);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = options.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient };
        try
        {
            await channel.BasicPublishAsync(options.Exchange, options.RoutingKey, mandatory: options.Mandatory, properties, Encoding.UTF8.GetBytes(e.Body), ct);
        }
        catch
        {
            await DropAsync(channel);
            throw;
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true } open) return open;
        await _gate.WaitAsync(ct);
        try
        {
            if (_channel is { IsOpen: true } made) return made;
            await CloseAsync();
            var factory = new ConnectionFactory { Uri = options.Url, ClientProvidedName = "s3overlay-notify", AutomaticRecoveryEnabled = false };
            _connection = await factory.CreateConnectionAsync(ct);
            var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            if (options.Exchange.Length > 0)
                await channel.ExchangeDeclareAsync(options.Exchange, options.ExchangeType, durable: options.Durable, autoDelete: false, cancellationToken: ct);
            return _channel = channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the channel a send failed on, unless another send has made a new one since.</summary>
    private async Task DropAsync(IChannel failed)
    {
        await _gate.WaitAsync();
        try
        {
            if (_channel == failed) await CloseAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_channel is not null) await _channel.DisposeAsync();
            if (_connection is not null) await _connection.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException or ObjectDisposedException)
        {
            // Already broken: nothing to close cleanly.
        }
        _channel = null;
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _gate.Dispose();
    }
}

/// <summary>An AMQP target's settings, as MinIO's <c>notify_amqp</c>.</summary>
internal sealed record AmqpTargetOptions(Uri Url, string Exchange, string ExchangeType, string RoutingKey, bool Persistent, bool Durable, bool Mandatory);
