using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.Telemetry.Status;

namespace S3Overlay.Telemetry;

/// <summary>The proxy's part of health and status; ServiceDefaults does the generic part (OpenTelemetry, endpoints).</summary>
public static class TelemetryRegistration
{
    public static WebApplicationBuilder AddOverlayTelemetry(this WebApplicationBuilder builder)
    {
        // Bounded: a store that hangs reports unhealthy instead of hanging the probe.
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", HealthStatus.Unhealthy, [], TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<OverlayStatistics>();
        return builder;
    }
}
