using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using S3Overlay.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire ServiceDefaults face (telemetry, health) for every service of the solution, built on
/// the OpenTelemetry SDK and its OTLP exporter alone: OpenTelemetry.Extensions.Hosting and the
/// instrumentation packages are not available, and .NET 10 emits what they would subscribe to
/// (ActivitySources and Meters) by itself.
/// </summary>
public static class Extensions
{
    public const string HealthPath = "/_overlay/health";
    public const string AlivePath = "/_overlay/alive";

    /// <summary>The setting Aspire passes; without it nothing of OpenTelemetry is registered.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Without "Microsoft.AspNetCore" the request activity exists unrecorded and the default
    // parent-based sampler drops every span under it (measured).
    private static readonly string[] PlatformSources = ["Microsoft.AspNetCore", "System.Net.Http"];

    private static readonly string[] PlatformMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    /// <param name="telemetryNames">The service's own ActivitySource and Meter names (the design names them alike).</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, params string[] telemetryNames) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(telemetryNames);
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured
    /// (environment or any configuration source); the SDK then reads the other <c>OTEL_*</c>
    /// settings (protocol, headers, service name, resource attributes, intervals) from the same
    /// configuration.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, params string[] telemetryNames) where TBuilder : IHostApplicationBuilder
    {
        // Nothing registered means no listener on any source or meter: instrumented code pays a null check.
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting])) return builder;

        // First: it also registers the SDK's shared services (options bound to IConfiguration).
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
        string[] sources = [.. PlatformSources, builder.Environment.ApplicationName, .. telemetryNames];
        string[] meters = [.. PlatformMeters, .. telemetryNames];
        // No ConfigureResource(AddService(...)): it would override OTEL_SERVICE_NAME and the
        // service.instance.id Aspire passes in OTEL_RESOURCE_ATTRIBUTES (measured).
        new OpenTelemetryServices(builder.Services)
            .WithTracing(t => t.AddSource(sources))
            .WithMetrics(m => m.AddMeter(meters))
            .UseOtlpExporter();
        // Registered first, so it starts the providers before anything else runs and flushes them after everything else stopped.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryLifetime>());
        builder.Services.AddSingleton<IStartupFilter, RequestSpanStartupFilter>();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Health (every check) and liveness (the <c>live</c> checks only), answered in every
    /// environment, unlike the template's Development-only mapping: orchestrators and load
    /// balancers probe them. Not authenticated; strangers see only each check's status.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return app;
    }
}
