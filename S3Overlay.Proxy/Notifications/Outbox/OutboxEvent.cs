namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// One event as the outbox keeps it: where it is (<paramref name="Position"/>, and where the next
/// begins), the target it is for, and the S3 event record to deliver.
/// </summary>
/// <param name="Arn">The target's ARN (<c>arn:minio:sqs::1:webhook</c>).</param>
/// <param name="Name">The event's name (<c>s3:ObjectCreated:Put</c>).</param>
/// <param name="Key"><c>bucket/key</c>, unencoded: what MinIO's formats key a namespace on.</param>
/// <param name="Record">The record, JSON, in S3's event format.</param>
internal sealed record OutboxEvent(long Position, long Next, string Arn, string Name, string Key, DateTimeOffset Time, string Record)
{
    /// <summary>Whether the event says the key is gone (a namespace target removes its entry).</summary>
    public bool Removes => Name.StartsWith("s3:ObjectRemoved:", StringComparison.Ordinal) || Name.StartsWith("s3:LifecycleExpiration:", StringComparison.Ordinal);

    /// <summary>The body MinIO sends its webhook, AMQP, NATS and MQTT targets: <c>{"EventName", "Key", "Records": [record]}</c>.</summary>
    public string Body => $"{{\"EventName\":{Json(Name)},\"Key\":{Json(Key)},\"Records\":[{Record}]}}";

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text, OutboxJson.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class OutboxJson : System.Text.Json.Serialization.JsonSerializerContext;
