using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using S3Overlay.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's ServiceDefaults for every service of the solution, as its template writes them
/// (OpenTelemetry with the ASP.NET Core, HttpClient and runtime instrumentation, OTLP export, health
/// checks, service discovery, resilience for IHttpClientFactory clients), with differences said
/// where they are: OpenTelemetry is registered only when an OTLP endpoint is configured (or, metrics
/// only, for a Prometheus scraper), each host exports only its own meters, and the health endpoints
/// answer in every environment.
/// </summary>
public static class Extensions
{
    public const string HealthPath = "/_overlay/health";
    public const string AlivePath = "/_overlay/alive";

    /// <summary>The setting Aspire passes; without it nothing of OpenTelemetry is registered.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <param name="telemetryNames">The service's own ActivitySource and Meter names (the design names them alike).</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, params string[] telemetryNames) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(telemetryNames);
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // For clients made by IHttpClientFactory: retries, timeouts and a circuit breaker. The S3
            // stores' clients are not among them (Storage/S3/StreamingHttpClientFactory): their bodies
            // stream objects of any size and cannot be retried once begun, the standard handler's 30 s
            // total timeout would cut a long transfer, and they have timeouts of their own
            // (S3_OVERLAY_REMOTE_TIMEOUT, the connect timeout) that the reliability tests hold them to.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
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
        // Unlike the template, which registers OpenTelemetry always and the exporter only with an
        // endpoint: a registered tracer listens to ASP.NET Core's and HttpClient's sources, so every
        // request would make and enrich an Activity nobody receives. Without an endpoint nothing is
        // registered, and the instrumented code pays a null check (DESIGN.md, telemetry contract).
        if (!IsOtlpOn(builder)) return builder;

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        // No ConfigureResource(AddService(...)): it would override OTEL_SERVICE_NAME and the
        // service.instance.id Aspire passes in OTEL_RESOURCE_ATTRIBUTES (measured).
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeters(telemetryNames))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(telemetryNames)
                // Health probes arrive every few seconds and would drown the traces.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryShutdown>());
        return builder;
    }

    /// <summary>
    /// The same metrics as the OTLP export, kept for a Prometheus scraper to read (the service maps
    /// the scraping endpoint, <c>MapPrometheusScrapingEndpoint</c>, where and behind what it chooses).
    /// Metrics only: with OTLP off, no tracer and no logging provider is registered, so requests
    /// pay nothing for traces nobody receives.
    /// </summary>
    public static TBuilder AddPrometheusExporter<TBuilder>(this TBuilder builder, params string[] telemetryNames) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            // With OTLP on, ConfigureOpenTelemetry has named the meters on this same MeterProvider.
            if (!IsOtlpOn(builder)) metrics.AddMeters(telemetryNames);
            // Each scrape collects afresh: the default 300 ms cache would give two scrapers (or a test
            // that scrapes, reads, and scrapes again) a figure older than what they just did.
            metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
        });
        return builder;
    }

    /// <summary>Every meter exported, by whichever exporter: ASP.NET Core's, HttpClient's, the runtime's and the service's own.</summary>
    private static MeterProviderBuilder AddMeters(this MeterProviderBuilder metrics, string[] telemetryNames)
    {
        metrics.AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(telemetryNames);
        // The hosting builder is deferred: the view is added once the host's services exist.
        return ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) => builder.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())));
    }

    /// <summary>
    /// A MeterProvider listens to every meter of the names it is given in the whole process. A
    /// host's own meters (ASP.NET Core's, Kestrel's, the service's) are made by its
    /// <see cref="IMeterFactory"/>, which scopes them: the others' are dropped, so two hosts in one
    /// process (tests) each export their own figures, as they would in processes of their own.
    /// Meters made without a factory (the runtime's) belong to the process and stay.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory factory) =>
        instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop;

    private static bool IsOtlpOn(IHostApplicationBuilder builder) => !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);

    private static bool IsProbe(PathString path) => path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

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
