using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using S3Overlay.Notifications.Outbox;

namespace S3Overlay.Notifications.Targets;

/// <summary>
/// MinIO's MQTT target: each event published on the topic at the configured QoS. At QoS 1 (the
/// default) a send returns once the broker's PUBACK came; at QoS 0 once the message was written.
/// A lost connection is made again at the next attempt.
/// </summary>
internal sealed class MqttTarget(string arn, MqttClientOptions options, string topic, MqttQualityOfServiceLevel qos) : INotificationTarget
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Arn => arn;

    /// <summary>One publish at a time, under the gate that also (re)connects the client.</summary>
    public int InFlight => 1;

    public async Task SendAsync(OutboxEvent e, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!_client.IsConnected) await _client.ConnectAsync(options, ct);
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(e.Body))
                .WithQualityOfServiceLevel(qos).WithContentType("application/json").Build();
            var result = await _client.PublishAsync(message, ct);
            if (!result.IsSuccess) throw new InvalidOperationException($"the MQTT broker refused the event: {result.ReasonCode} {result.ReasonString}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
        _gate.Dispose();
    }
}
