using S3Overlay.Configuration;

namespace S3Overlay.Telemetry.Prometheus;

/// <summary>
/// Whether the proxy serves its metrics to a Prometheus scraper (<c>S3_OVERLAY_METRICS</c>, off by
/// default) and whether anyone may read them (<c>S3_OVERLAY_METRICS_PUBLIC</c>; otherwise only the
/// users who may use the admin API).
/// </summary>
public sealed record MetricsSettings(bool Enabled, bool Public)
{
    public const string EnabledSetting = "S3_OVERLAY_METRICS";
    public const string PublicSetting = "S3_OVERLAY_METRICS_PUBLIC";

    public static MetricsSettings From(SettingReader read)
    {
        var enabled = read.Bool(EnabledSetting, false);
        var open = read.Bool(PublicSetting, false);
        // A metrics endpoint made public but never turned on is a mistake the operator should hear of.
        if (open && !enabled) throw new SettingException(PublicSetting, $"makes the metrics public, but {EnabledSetting} does not turn them on");
        return new MetricsSettings(enabled, open);
    }
}
