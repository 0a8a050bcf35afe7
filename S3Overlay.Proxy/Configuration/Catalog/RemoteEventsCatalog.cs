namespace S3Overlay.Configuration.Catalog;

/// <summary>The remote's own change events, which keep cached copies current (read by the overlay's RemoteEventSettings; docs/overlay.md#consistency).</summary>
internal static class RemoteEventsCatalog
{
    public static readonly TextSetting Token = new("S3_OVERLAY_REMOTE_EVENTS_TOKEN", null,
        "Turns on `POST /_overlay/events`, where the remote pushes its S3 event notifications (RGW's and MinIO's HTTP targets, an SNS HTTPS subscription); a delivery must carry this token as the `token` query parameter, an `Authorization: Bearer` header, or the topic's opaque data. Any other is refused (401 without a token, 403 with a wrong one) and changes nothing")
    { Note = "events over HTTP off" };

    public static readonly TextSetting AmqpUrl = new("S3_OVERLAY_REMOTE_EVENTS_AMQP_URL", null,
        "An AMQP 0-9-1 broker (RabbitMQ) the remote publishes its events to (`amqp://user:password@host:5672/vhost`): the overlay consumes them from a queue of its own bound to `S3_OVERLAY_REMOTE_EVENTS_AMQP_EXCHANGE`, where they wait while it is down")
    { Note = "events over AMQP off" };

    public static readonly TextSetting AmqpExchange = new("S3_OVERLAY_REMOTE_EVENTS_AMQP_EXCHANGE", null,
        "The exchange the remote publishes to (RGW's topic attribute `amqp-exchange`); a topic exchange, declared durable if it does not exist")
    { Note = "required with an AMQP URL" };

    public static readonly TextSetting AmqpRoutingKey = new("S3_OVERLAY_REMOTE_EVENTS_AMQP_ROUTING_KEY", "#",
        "The routing key the overlay's queue is bound with (RGW publishes with the topic's name); `#` takes every message of the exchange");

    public static readonly TextSetting AmqpQueue = new("S3_OVERLAY_REMOTE_EVENTS_AMQP_QUEUE", "s3-overlay-events",
        "The overlay's durable queue; replicas of a fleet share it (each event is applied once, in the shared local store)");

    public static readonly TextSetting SnsCertificateUrl = new("S3_OVERLAY_REMOTE_EVENTS_SNS_CERT_URL", null,
        "Where SNS signing certificates may be fetched from, a URL prefix, in place of AWS's own (`https://sns.REGION.amazonaws.com/`); also where a subscription is confirmed")
    { Note = "AWS's SNS hosts" };

    public static readonly BoolSetting Reconcile = new("S3_OVERLAY_REMOTE_EVENTS_RECONCILE", true,
        "With events on, compare what is cached with one listing of each remote-backed bucket as the overlay starts and whenever its AMQP channel comes back, and drop what the remote replaced or removed meanwhile (events lost while down)");
}
