using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// Takes the remote's events from an AMQP broker (RabbitMQ), where RGW publishes them to an
/// exchange with the topic's name as routing key: a durable queue of the overlay's own, bound to
/// that exchange, holds them while the overlay is down or its connection broken. Each message is
/// acknowledged once its events are applied; one that cannot be applied now (the local store
/// failing) goes back to the queue. Every (re)connection is followed by a reconcile
/// (<see cref="RemoteReconcile"/>): what was published before the queue existed is not in it.
/// </summary>
internal sealed class AmqpEventConsumer(AmqpEventSource source, RemoteEventInbox inbox, StartupReconcile reconcile, TimeProvider clock,
    ILogger<AmqpEventConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private volatile bool _connected;
    private volatile string? _lastError;

    /// <summary>Whether the consumer holds a live connection to the broker now.</summary>
    public bool Connected => _connected;

    /// <summary>Why the last connection failed or broke; null when none did.</summary>
    public string? LastError => _lastError;

    public string Broker => source.Shown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
                wait = FirstRetry;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _lastError = e.Message;
                logger.LogWarning("The AMQP broker {Broker} is not reachable ({Reason}): events wait in its queue; trying again in {Seconds} s", source.Shown, e.Message, wait.TotalSeconds);
            }
            finally
            {
                _connected = false;
            }
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = wait * 2 > LastRetry ? LastRetry : wait * 2;
        }
    }

    /// <summary>One connection's life: declares and binds the queue, reconciles, consumes until the connection goes.</summary>
    private async Task ConsumeAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = source.Url, ClientProvidedName = "s3-overlay events", AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync(ct);
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetResult(args.ReplyText);
            return Task.CompletedTask;
        };
        await EnsureExchangeAsync(connection, ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(source.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(source.Queue, source.Exchange, source.RoutingKey, cancellationToken: ct);
        await channel.BasicQosAsync(0, 32, false, ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => TakeAsync(channel, delivery, ct);
        await channel.BasicConsumeAsync(source.Queue, autoAck: false, consumer, ct);
        _connected = true;
        _lastError = null;
        logger.LogInformation("Following the remote's events from {Broker}, exchange {Exchange}, queue {Queue}", source.Shown, source.Exchange, source.Queue);
        // Bound first, so what is published from now on waits in the queue while the reconcile looks at the rest.
        reconcile.Start("the AMQP channel (re)connected");
        var reason = await closed.Task.WaitAsync(ct);
        throw new InvalidOperationException($"the connection closed: {reason}");
    }

    /// <summary>The exchange the remote publishes to: used as it is when it exists, else made (a durable topic exchange, as RGW expects one).</summary>
    private async Task EnsureExchangeAsync(IConnection connection, CancellationToken ct)
    {
        await using (var probe = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            try
            {
                await probe.ExchangeDeclarePassiveAsync(source.Exchange, ct);
                return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // 404: not there yet (the passive declare closed this channel).
            }
        }
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.ExchangeDeclareAsync(source.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
    }

    private async Task TakeAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken ct)
    {
        InboxAnswer answer;
        try
        {
            answer = await inbox.TakeAsync(delivery.Body, presented: null, authenticated: true, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not apply an event from {Broker}: it goes back to the queue", source.Shown);
            await Task.Delay(FirstRetry, clock, CancellationToken.None);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            return;
        }
        if (answer.Status >= 500)
        {
            await Task.Delay(FirstRetry, clock, CancellationToken.None);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            return;
        }
        // Taken, or never takeable (not an event): either way not kept in the queue.
        if (answer.ErrorCode is not null) logger.LogWarning("A message from {Broker} is not an S3 event and is dropped: {Reason}", source.Shown, answer.Message);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
    }
}
