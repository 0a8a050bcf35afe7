using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.S3.Auth;
using S3Overlay.Configuration;
using S3Overlay.ServiceDefaults;
using S3Overlay.Telemetry;
using S3Overlay.Telemetry.Prometheus;
using S3Overlay.Telemetry.Status;
using S3Overlay.Web;

namespace S3Overlay.Hosting;

/// <summary>The proxy's part of health, status and metrics; ServiceDefaults does the generic part (OpenTelemetry, endpoints).</summary>
internal static class TelemetryRegistration
{
    public static WebApplicationBuilder AddOverlayTelemetry(this WebApplicationBuilder builder)
    {
        // Bounded: a store that hangs reports unhealthy instead of hanging the probe.
        // One instance, so its recent result is shared by every call.
        builder.Services.AddSingleton<StorageHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", HealthStatus.Unhealthy, [], TimeSpan.FromSeconds(5));
        // Signed-in operators (HTTP Basic, as the admin API) read why a check failed; strangers do not.
        builder.Services.AddSingleton<HealthDetailPolicy>(services =>
        {
            var auth = services.GetRequiredService<AuthSettings>();
            return context => BrowserVisitor.From(context.Request, auth).SignedIn;
        });
        builder.Services.TryAddSingleton<OverlayMetrics>();
        var metrics = MetricsSettings.From(new SettingReader(builder.Configuration));
        builder.Services.AddSingleton(metrics);
        if (metrics.Enabled) builder.AddPrometheusExporter(OverlayTelemetry.Name);
        builder.Services.AddSingleton<OverlayStatistics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OverlayStatistics>());
        return builder;
    }
}
