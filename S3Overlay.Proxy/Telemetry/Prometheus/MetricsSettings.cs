using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Telemetry.Prometheus;

/// <summary>
/// Whether the proxy serves its metrics to a Prometheus scraper (<c>S3_OVERLAY_METRICS</c>, off by
/// default) and whether anyone may read them (<c>S3_OVERLAY_METRICS_PUBLIC</c>; otherwise only the
/// users who may use the admin API).
/// </summary>
internal sealed record MetricsSettings(bool Enabled, bool Public)
{
    public static MetricsSettings From(SettingReader read)
    {
        var enabled = TelemetryCatalog.Metrics.Read(read);
        var open = TelemetryCatalog.MetricsPublic.Read(read);
        // A metrics endpoint made public but never turned on is a mistake the operator should hear of.
        if (open && !enabled) throw TelemetryCatalog.MetricsPublic.Invalid($"makes the metrics public, but {TelemetryCatalog.Metrics} does not turn them on");
        return new MetricsSettings(enabled, open);
    }
}
