namespace S3Overlay.Configuration.Catalog;

/// <summary>OpenTelemetry export (read by OpenTelemetry itself) and the Prometheus endpoint (Telemetry/Prometheus/MetricsSettings.cs).</summary>
internal static class TelemetryCatalog
{
    public static readonly ExternalSetting OtlpEndpoint = new("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", null,
        "Turns on OpenTelemetry export (traces, metrics, logs) to this OTLP endpoint; see [Telemetry](observability.md)");

    public static readonly ExternalSetting OtlpProtocol = new("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
        "`grpc` or `http/protobuf`");

    public static readonly ExternalSetting ServiceName = new("OTEL_SERVICE_NAME", "OTEL_SERVICE_NAME", "unknown_service:…",
        "Service name on everything exported");

    public static readonly ExternalSetting ResourceAttributes = new("OTEL_RESOURCE_ATTRIBUTES", "OTEL_RESOURCE_ATTRIBUTES", null,
        "Extra resource attributes, `k=v,k2=v2` (Aspire passes `service.instance.id`)");

    public static readonly BoolSetting Metrics = new("S3_OVERLAY_METRICS", false,
        "Serve Prometheus metrics at `/_overlay/metrics`, signed in as the admin API; see [metrics](metrics.md)")
    { Flag = "--metrics", FlagMeaning = "Serve /_overlay/metrics to Prometheus, signed in as the admin API (true/false)" };

    public static readonly BoolSetting MetricsPublic = new("S3_OVERLAY_METRICS_PUBLIC", false,
        "Anyone may read `/_overlay/metrics` (only with `S3_OVERLAY_METRICS`)");
}
