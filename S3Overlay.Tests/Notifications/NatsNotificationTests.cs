using NATS.Client.Core;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Notifications;

/// <summary>The NATS target against nats-server on a free port: the events read back in order by a NATS.Net subscriber on the subject.</summary>
[FunctionalTests]
public sealed class NatsNotificationTests
{
    [Fact]
    public async Task Events_are_published_on_the_subject_in_order()
    {
        await using var nats = await BrokerProcess.StartAsync("/usr/sbin/nats-server", "nats-server",
            (port, folder) => ["-a", "127.0.0.1", "-p", port.ToString(), "--pid", Path.Combine(folder, "pid")]);
        var ct = TestContext.Current.CancellationToken;
        await using var subscriber = new NatsConnection(NatsOpts.Default with { Url = $"nats://127.0.0.1:{nats.Port}" });
        await using var subscription = await subscriber.SubscribeCoreAsync<string>("s3.events", cancellationToken: ct);
        await subscriber.PingAsync(ct);

        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_NATS_ADDRESS_natsid"] = $"127.0.0.1:{nats.Port}",
            ["S3_OVERLAY_NOTIFY_NATS_SUBJECT_natsid"] = "s3.events",
        }, "arn:minio:sqs::natsid:nats", "nats-events");

        var bodies = new List<string>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Polling.Deadline);
        await foreach (var message in subscription.Msgs.ReadAllAsync(deadline.Token))
        {
            bodies.Add(message.Data!);
            if (bodies.Count == BrokerEvents.Expected.Length) break;
        }
        BrokerEvents.AssertReceived(BrokerEvents.Said(bodies, "nats-events"));
    }
}
