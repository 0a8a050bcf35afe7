using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Notifications;

/// <summary>The MQTT target against mosquitto on a free port: the events read back in order by an MQTTnet subscriber at QoS 1.</summary>
[FunctionalTests]
public sealed class MqttNotificationTests
{
    [Fact]
    public async Task Events_are_published_on_the_topic_in_order()
    {
        await using var mosquitto = await BrokerProcess.StartAsync("/usr/sbin/mosquitto", "mosquitto",
            (_, folder) => ["-c", Path.Combine(folder, "mosquitto.conf")],
            (port, folder) => File.WriteAllTextAsync(Path.Combine(folder, "mosquitto.conf"),
                $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"));
        var ct = TestContext.Current.CancellationToken;
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        var bodies = new ConcurrentQueue<string>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            bodies.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).Build(), ct);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("minio/events", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_MQTT_BROKER_mq"] = $"tcp://127.0.0.1:{mosquitto.Port}",
            ["S3_OVERLAY_NOTIFY_MQTT_TOPIC_mq"] = "minio/events",
        }, "arn:minio:sqs::mq:mqtt", "mqtt-events");

        await Polling.EventuallyAsync(() => bodies.Count >= BrokerEvents.Expected.Length, "the events at the subscriber");
        BrokerEvents.AssertReceived(BrokerEvents.Said(bodies, "mqtt-events"));
    }
}
