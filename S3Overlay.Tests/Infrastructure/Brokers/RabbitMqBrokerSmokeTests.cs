using System.Text;
using RabbitMQ.Client;

namespace S3Overlay.Tests.Infrastructure.Brokers;

/// <summary>The fixture itself works: the run's RabbitMQ node routes a message through an exchange to a bound queue.</summary>
[FunctionalTests]
public class RabbitMqBrokerSmokeTests
{
    [Fact]
    public async Task A_message_published_to_an_exchange_reaches_the_queue_bound_to_it()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var factory = new ConnectionFactory { Uri = broker.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var exchange = "smoke-" + Guid.NewGuid().ToString("N")[..8];
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: false, autoDelete: true, cancellationToken: TestContext.Current.CancellationToken);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: TestContext.Current.CancellationToken)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "topic-a", cancellationToken: TestContext.Current.CancellationToken);

        await channel.BasicPublishAsync(exchange, "topic-a", Encoding.UTF8.GetBytes("hello"), TestContext.Current.CancellationToken);
        await channel.BasicPublishAsync(exchange, "topic-b", Encoding.UTF8.GetBytes("not bound"), TestContext.Current.CancellationToken);

        BasicGetResult? got = null;
        for (var tries = 0; got is null && tries < 50; tries++)
        {
            got = await channel.BasicGetAsync(queue, autoAck: true, TestContext.Current.CancellationToken);
            if (got is null) await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.NotNull(got);
        Assert.Equal("hello", Encoding.UTF8.GetString(got.Body.Span));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Null(await channel.BasicGetAsync(queue, autoAck: true, TestContext.Current.CancellationToken));
    }
}
