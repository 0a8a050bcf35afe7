using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using S3Overlay.Lifecycle;
using S3Overlay.Overlay.Fleet;

namespace S3Overlay.Telemetry.Status;

/// <summary>
/// <c>/_overlay/status</c>: the overlay's figures as a small HTML page for a person, or as JSON
/// (<c>?format=json</c>, or <c>Accept: application/json</c>). Not S3, not authenticated.
/// </summary>
internal static class StatusEndpoint
{
    public const string Path = "/_overlay/status";

    public static WebApplication MapOverlayStatus(this WebApplication app)
    {
        // Resolved now so the listener counts from start-up, not from the first visit.
        var statistics = app.Services.GetRequiredService<OverlayStatistics>();
        // The fleet's routing is there only with an overlay in a fleet; the scanner's settings and progress always.
        app.MapGet(Path, (HttpContext context, [FromServices] FleetRouting? routing, [FromServices] LifecycleSettings scanner, [FromServices] LifecycleProgress progress,
            [FromServices] Notifications.NotificationOutbox? outbox, [FromServices] TimeProvider clock) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var status = statistics.Observe();
            var fleet = routing is null ? null : FleetStatus.Of(routing);
            var lifecycle = LifecycleStatus.Of(scanner, progress);
            var events = Overlay.Events.RemoteEventsStatus.Of(context.RequestServices);
            var notifications = Notifications.Delivery.NotificationStatus.Of(outbox, clock.GetUtcNow());
            return WantsJson(context.Request)
                ? Results.Json(StatusJson.From(status, fleet, lifecycle, events, notifications), StatusJsonContext.Default.StatusJson)
                : Results.Content(StatusPage.Render(status, statistics.History.Samples(), fleet, lifecycle, events, notifications), "text/html; charset=utf-8");
        });
        return app;
    }

    private static bool WantsJson(HttpRequest request)
    {
        var format = request.Query["format"].ToString();
        if (format.Length > 0) return format.Equals("json", StringComparison.OrdinalIgnoreCase);
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
            && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
