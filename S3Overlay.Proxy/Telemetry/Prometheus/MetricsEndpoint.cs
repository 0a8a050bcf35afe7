using S3Overlay.Admin;
using S3Overlay.S3.Auth;

namespace S3Overlay.Telemetry.Prometheus;

/// <summary>
/// <c>/_overlay/metrics</c>: every exported metric in Prometheus's text format, written by
/// OpenTelemetry's Prometheus exporter. Under <c>/_overlay/</c>, like every path that is not S3, so
/// no bucket is shadowed: a bucket may be named <c>metrics</c>, and <c>GET /metrics</c> lists it.
/// Signed in as for the admin API unless the metrics are public; not there at all when off.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/_overlay/metrics";

    public static WebApplication MapOverlayMetrics(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<MetricsSettings>();
        if (!settings.Enabled) return app;
        var auth = app.Services.GetRequiredService<AuthSettings>();
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: settings.Public ? null : pipeline => RequireOperator(pipeline, auth), optionsName: null);
        return app;
    }

    private static void RequireOperator(IApplicationBuilder pipeline, AuthSettings auth) => pipeline.Use(async (context, next) =>
    {
        if (OperatorAccess.Refusal(context, auth, bucket: null) is { } refusal) await refusal.ExecuteAsync(context);
        else await next(context);
    });
}
