using Microsoft.AspNetCore.Http;
using S3Overlay.Browser;
using S3Overlay.Overlay;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;

namespace S3Overlay.Admin;

/// <summary>
/// <c>/_overlay/api/</c>: JSON endpoints to see and steer the cache (report, warm, evict) and the
/// whiteouts. Callers sign in with an access key and its secret key (HTTP Basic), the same
/// credentials as S3. Without a remote the overlay is off and the cache endpoints answer 404.
/// </summary>
public static class AdminApi
{
    public const string Prefix = "/_overlay/api";

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var api = app.MapGroup(Prefix).AddEndpointFilter(RequireUserAsync);
        api.MapGet("/cache/{bucket}", Report);
        api.MapDelete("/cache/{bucket}", EvictAsync);
        api.MapPost("/warm/{bucket}", Warm);
        api.MapGet("/jobs/{id}", Job);
        api.MapGet("/whiteouts/{bucket}", ListWhiteoutsAsync);
        api.MapDelete("/whiteouts/{bucket}", ClearWhiteoutsAsync);
        return app;
    }

    /// <summary>What is cached for a bucket under <c>?prefix=</c>, and the cache's size against its cap.</summary>
    private static IResult Report(string bucket, string? prefix, HttpContext context) =>
        WithOverlay(context, overlay =>
        {
            var report = overlay.CachedUnder(bucket, prefix ?? "");
            return Results.Json(new
            {
                bucket,
                prefix = prefix ?? "",
                report.Objects,
                report.ChunkedObjects,
                report.Chunks,
                report.Bytes,
                cacheBytes = overlay.Cache.TotalBytes,
                maxBytes = overlay.Settings.Limits.MaxBytes,
            });
        });

    /// <summary>Evicts <c>?key=</c> or everything under <c>?prefix=</c> that came from the remote.</summary>
    private static async Task<IResult> EvictAsync(string bucket, string? key, string? prefix, HttpContext context)
    {
        if (Overlay(context) is not { } overlay) return NoOverlay();
        if ((key is null) == (prefix is null)) return Problem(400, "give exactly one of ?key= and ?prefix=");
        var evicted = key is not null
            ? await overlay.EvictKeyAsync(bucket, key, context.RequestAborted)
            : await overlay.EvictPrefixAsync(bucket, prefix!, context.RequestAborted);
        return Results.Json(new { bucket, key, prefix, evicted });
    }

    /// <summary>Starts prefetching <c>?prefix=</c> from the remote; 202 with the job to follow.</summary>
    private static IResult Warm(string bucket, string? prefix, HttpContext context) =>
        WithOverlay(context, _ =>
        {
            var job = context.RequestServices.GetRequiredService<WarmJobs>().Start(bucket, prefix ?? "");
            var location = $"{Prefix}/jobs/{job.Id}";
            return Results.Json(new { id = job.Id, location }, statusCode: 202);
        });

    private static IResult Job(string id, HttpContext context) =>
        WithOverlay(context, _ => context.RequestServices.GetRequiredService<WarmJobs>().Find(id) is { } job
            ? Results.Json(job.ToJson())
            : Problem(404, $"no job {id}"));

    private static async Task<IResult> ListWhiteoutsAsync(string bucket, string? prefix, int? limit, HttpContext context)
    {
        if (context.RequestServices.GetService<IWhiteoutCatalog>() is not { } whiteouts) return NoWhiteouts();
        var keys = await whiteouts.ListAsync(bucket, prefix ?? "", Math.Clamp(limit ?? 1000, 1, 10_000), context.RequestAborted);
        return Results.Json(new { bucket, prefix = prefix ?? "", keys });
    }

    private static async Task<IResult> ClearWhiteoutsAsync(string bucket, string? key, string? prefix, HttpContext context)
    {
        if (context.RequestServices.GetService<IWhiteoutCatalog>() is not { } whiteouts) return NoWhiteouts();
        if ((key is null) == (prefix is null)) return Problem(400, "give exactly one of ?key= and ?prefix=");
        var cleared = await whiteouts.ClearAsync(bucket, key ?? prefix!, exact: key is not null, context.RequestAborted);
        return Results.Json(new { bucket, key, prefix, cleared });
    }

    /// <summary>HTTP Basic with a configured access key and secret key; anything else is 401 with a challenge.</summary>
    private static async ValueTask<object?> RequireUserAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        var caller = BrowserVisitor.From(http.Request, http.RequestServices.GetRequiredService<AuthSettings>());
        if (caller.SignedIn) return await next(invocation);
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{BrowserVisitor.Realm}\", charset=\"UTF-8\"";
        return Problem(401, "sign in with an access key and its secret key (HTTP Basic)");
    }

    private static IResult WithOverlay(HttpContext context, Func<OverlayObjectStore, IResult> answer) =>
        Overlay(context) is { } overlay ? answer(overlay) : NoOverlay();

    private static OverlayObjectStore? Overlay(HttpContext context) => context.RequestServices.GetService<OverlayObjectStore>();

    private static IResult NoOverlay() => Problem(404, "the overlay is off (no remote is configured): there is no cache");

    private static IResult NoWhiteouts() => Problem(501, "whiteouts are not available in this build");

    private static IResult Problem(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
