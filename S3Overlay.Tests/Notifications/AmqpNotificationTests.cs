using System.Text;
using RabbitMQ.Client;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// The AMQP target against a real RabbitMQ node (<see cref="RabbitMqBroker"/>): events published to
/// the configured exchange with the routing key, read back from a bound queue with RabbitMQ.Client.
/// </summary>
[FunctionalTests]
public sealed class AmqpNotificationTests
{
    [Fact]
    public async Task Events_reach_a_queue_bound_to_the_exchange_in_order()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var ct = TestContext.Current.CancellationToken;
        var exchange = "s3events-" + Guid.NewGuid().ToString("N")[..8];
        var factory = new ConnectionFactory { Uri = broker.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        // Declared as the target declares it, so the queue is bound before the first event.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "bucketlogs", cancellationToken: ct);

        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_AMQP_URL_rabbit"] = broker.AmqpUri.ToString(),
            ["S3_OVERLAY_NOTIFY_AMQP_EXCHANGE_rabbit"] = exchange,
            ["S3_OVERLAY_NOTIFY_AMQP_ROUTING_KEY_rabbit"] = "bucketlogs",
        }, "arn:minio:sqs::rabbit:amqp", "amqp-events");

        var bodies = new List<string>();
        await Polling.EventuallyAsync(async () =>
        {
            while (await channel.BasicGetAsync(queue, autoAck: true, ct) is { } message)
            {
                Assert.Equal("application/json", message.BasicProperties.ContentType);
                Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
            }
            return bodies.Count >= BrokerEvents.Expected.Length;
        }, "the events in the queue");
        BrokerEvents.AssertReceived(BrokerEvents.Said(bodies, "amqp-events"));
        await Task.Delay(200, ct);
        Assert.Null(await channel.BasicGetAsync(queue, autoAck: true, ct));
    }
}
