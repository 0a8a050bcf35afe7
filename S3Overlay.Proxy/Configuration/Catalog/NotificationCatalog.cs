namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// Bucket notifications: the outbox, and the targets, declared as MinIO declares its own with our
/// prefix (<see cref="TargetSetting"/>). See [Bucket notifications](notifications.md).
/// </summary>
internal static class NotificationCatalog
{
    public static readonly LongSetting OutboxLimit = new("S3_OVERLAY_NOTIFY_OUTBOX_LIMIT", 1L << 30,
        "The most the notification outbox (under the data folder, `.s3overlay/notify`) may hold of events not yet delivered, in bytes; a write that would raise an event while it is full is refused with 503 SlowDown (counted and logged), so no acknowledged write loses its event")
    { Note = "1 GiB", Min = 4096 };

    public static readonly DurationSetting RetryMaxDelay = new("S3_OVERLAY_NOTIFY_RETRY_MAX_DELAY", TimeSpan.FromSeconds(30),
        "The longest wait between two attempts to deliver an event to a target that is down (the waits double from 100 ms up to this)")
    { Positive = true };

    public static readonly TargetSetting WebhookEnable = new("S3_OVERLAY_NOTIFY_WEBHOOK_ENABLE", "on",
        "`off` turns the webhook target `<ID>` off, as MinIO's `MINIO_NOTIFY_WEBHOOK_ENABLE_<ID>`");

    public static readonly TargetSetting WebhookEndpoint = new("S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT", null,
        "Declares the webhook target `arn:minio:sqs::<ID>:webhook`: each event is POSTed as JSON to this `http://` or `https://` URL");

    public static readonly TargetSetting WebhookAuthToken = new("S3_OVERLAY_NOTIFY_WEBHOOK_AUTH_TOKEN", null,
        "Sent as `Authorization: Bearer <token>` with each event (a value with a space in it is sent as the whole header, as MinIO does)");

    public static readonly TargetSetting WebhookCa = new("S3_OVERLAY_NOTIFY_WEBHOOK_CA", null,
        "A PEM file of CA certificates an `https://` endpoint's certificate may chain to, besides the system's");

    public static readonly TargetSetting AmqpEnable = new("S3_OVERLAY_NOTIFY_AMQP_ENABLE", "on",
        "`off` turns the AMQP target `<ID>` off");

    public static readonly TargetSetting AmqpUrl = new("S3_OVERLAY_NOTIFY_AMQP_URL", null,
        "Declares the AMQP 0-9-1 (RabbitMQ) target `arn:minio:sqs::<ID>:amqp`: the broker, `amqp://user:password@host:port/vhost`; each event is published with publisher confirms");

    public static readonly TargetSetting AmqpExchange = new("S3_OVERLAY_NOTIFY_AMQP_EXCHANGE", "",
        "The exchange events are published to (declared at the first publish); empty: the default exchange, where the routing key names a queue");

    public static readonly TargetSetting AmqpExchangeType = new("S3_OVERLAY_NOTIFY_AMQP_EXCHANGE_TYPE", "direct",
        "The exchange's type when it is declared: `direct`, `fanout`, `topic` or `headers`");

    public static readonly TargetSetting AmqpRoutingKey = new("S3_OVERLAY_NOTIFY_AMQP_ROUTING_KEY", "",
        "The routing key of each event");

    public static readonly TargetSetting AmqpDeliveryMode = new("S3_OVERLAY_NOTIFY_AMQP_DELIVERY_MODE", "2",
        "`2`: messages persistent (kept on the broker's disk); `1`: transient");

    public static readonly TargetSetting AmqpDurable = new("S3_OVERLAY_NOTIFY_AMQP_DURABLE", "on",
        "Whether the exchange is declared durable");

    public static readonly TargetSetting AmqpMandatory = new("S3_OVERLAY_NOTIFY_AMQP_MANDATORY", "off",
        "Publish with the mandatory flag: `on` and a message no queue takes is returned rather than dropped by the broker (and counted as a failed attempt)");
}
