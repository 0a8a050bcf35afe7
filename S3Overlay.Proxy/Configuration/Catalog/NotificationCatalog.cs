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

    public static readonly TargetSetting NatsEnable = new("S3_OVERLAY_NOTIFY_NATS_ENABLE", "on",
        "`off` turns the NATS target `<ID>` off");

    public static readonly TargetSetting NatsAddress = new("S3_OVERLAY_NOTIFY_NATS_ADDRESS", null,
        "Declares the NATS target `arn:minio:sqs::<ID>:nats`: the server, `host:port` (or a `nats://` URL)");

    public static readonly TargetSetting NatsSubject = new("S3_OVERLAY_NOTIFY_NATS_SUBJECT", "bucketevents",
        "The subject each event is published on");

    public static readonly TargetSetting NatsUsername = new("S3_OVERLAY_NOTIFY_NATS_USERNAME", null, "The NATS user, with its password");

    public static readonly TargetSetting NatsPassword = new("S3_OVERLAY_NOTIFY_NATS_PASSWORD", null, "The NATS user's password");

    public static readonly TargetSetting NatsToken = new("S3_OVERLAY_NOTIFY_NATS_TOKEN", null, "A NATS authentication token, instead of a user");

    public static readonly TargetSetting RedisEnable = new("S3_OVERLAY_NOTIFY_REDIS_ENABLE", "on",
        "`off` turns the Redis target `<ID>` off");

    public static readonly TargetSetting RedisAddress = new("S3_OVERLAY_NOTIFY_REDIS_ADDRESS", null,
        "Declares the Redis target `arn:minio:sqs::<ID>:redis`: the server, `host:port`");

    public static readonly TargetSetting RedisKey = new("S3_OVERLAY_NOTIFY_REDIS_KEY", "bucketevents",
        "The hash (format `namespace`) or list (format `access`) the events go to");

    public static readonly TargetSetting RedisFormat = new("S3_OVERLAY_NOTIFY_REDIS_FORMAT", "namespace",
        "`namespace`: one hash entry per object, set by a creation, removed by a removal; `access`: every event appended to a list");

    public static readonly TargetSetting RedisUser = new("S3_OVERLAY_NOTIFY_REDIS_USER", null, "The Redis ACL user");

    public static readonly TargetSetting RedisPassword = new("S3_OVERLAY_NOTIFY_REDIS_PASSWORD", null, "The Redis password");

    public static readonly TargetSetting MqttEnable = new("S3_OVERLAY_NOTIFY_MQTT_ENABLE", "on",
        "`off` turns the MQTT target `<ID>` off");

    public static readonly TargetSetting MqttBroker = new("S3_OVERLAY_NOTIFY_MQTT_BROKER", null,
        "Declares the MQTT target `arn:minio:sqs::<ID>:mqtt`: the broker, `tcp://host:port`");

    public static readonly TargetSetting MqttTopic = new("S3_OVERLAY_NOTIFY_MQTT_TOPIC", "bucketevents",
        "The topic each event is published on");

    public static readonly TargetSetting MqttQos = new("S3_OVERLAY_NOTIFY_MQTT_QOS", "1",
        "The QoS of each publish: `1` (the default here, unlike MinIO's `0`: a delivery is the broker's PUBACK, so none is lost), `2`, or `0`");

    public static readonly TargetSetting MqttUsername = new("S3_OVERLAY_NOTIFY_MQTT_USERNAME", null, "The MQTT user");

    public static readonly TargetSetting MqttPassword = new("S3_OVERLAY_NOTIFY_MQTT_PASSWORD", null, "The MQTT user's password");

    public static readonly TargetSetting PostgresEnable = new("S3_OVERLAY_NOTIFY_POSTGRES_ENABLE", "on",
        "`off` turns the PostgreSQL target `<ID>` off");

    public static readonly TargetSetting PostgresConnectionString = new("S3_OVERLAY_NOTIFY_POSTGRES_CONNECTION_STRING", null,
        "Declares the PostgreSQL target `arn:minio:sqs::<ID>:postgresql`: the database, as libpq writes it (`host=… port=… user=… dbname=… sslmode=disable`, as MinIO takes it) or as Npgsql does (`Host=…;Port=…`)");

    public static readonly TargetSetting PostgresTable = new("S3_OVERLAY_NOTIFY_POSTGRES_TABLE", "bucketevents",
        "The table the events go to (created if missing): letters, digits and underscores");

    public static readonly TargetSetting PostgresFormat = new("S3_OVERLAY_NOTIFY_POSTGRES_FORMAT", "namespace",
        "`namespace`: one row per object (`key`, `value`), upserted by a creation, deleted by a removal; `access`: every event a row (`event_time`, `event_data`)");
}
