using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.S3.Auth;
using S3Overlay.S3.Errors;
using S3Overlay.Overlay.Whiteouts;

namespace S3Overlay.Admin;

/// <summary>
/// <c>/_overlay/api/</c>: JSON endpoints to see and steer the cache (report, warm, evict) and the
/// whiteouts. Callers sign in with an access key and its secret key (HTTP Basic), the same
/// credentials as S3. Without a remote the overlay is off and every endpoint answers 404.
/// </summary>
/// <remarks>Each handler takes the parts of the overlay it uses as services: none is registered when the overlay is off.</remarks>
internal static class AdminApi
{
    public const string Prefix = "/_overlay/api";

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<AuthSettings>();
        var api = app.MapGroup(Prefix).RefuseCrossSite()
            .AddEndpointFilter((invocation, next) => RequireUserAsync(auth, invocation, next)).AddEndpointFilter(RequireBucketName);
        api.MapGet("/cache/{bucket}", ReportAsync);
        api.MapDelete("/cache/{bucket}", EvictAsync);
        api.MapPost("/warm/{bucket}", Warm);
        api.MapGet("/jobs/{id}", Job);
        api.MapGet("/whiteouts/{bucket}", ListWhiteoutsAsync);
        api.MapDelete("/whiteouts/{bucket}", ClearWhiteoutsAsync);
        return app;
    }

    /// <summary>What is cached for a bucket under <c>?prefix=</c>, and the cache's size against its cap.</summary>
    private static async Task<IResult> ReportAsync(string bucket, string? prefix, HttpContext context, [FromServices] CacheEvictor? evictor,
        [FromServices] CacheIndex? index, [FromServices] CacheReconciler? reconciler, [FromServices] OverlaySettings? settings)
    {
        if (evictor is null || index is null || reconciler is null || settings is null) return NoOverlay();
        var report = await evictor.CachedUnderAsync(bucket, prefix ?? "", context.RequestAborted);
        return Results.Json(new CacheAnswer(bucket, prefix ?? "", report.Objects, report.ChunkedObjects, report.Chunks, report.Bytes,
            index.TotalBytes, settings.Limits.MaxBytes, reconciler.Reconciled, evictor.Evicting, index.Saved),
            AdminJson.Default.CacheAnswer);
    }

    /// <summary>Evicts <c>?key=</c> or everything under <c>?prefix=</c> that came from the remote.</summary>
    private static async Task<IResult> EvictAsync(string bucket, string? key, string? prefix, HttpContext context, [FromServices] CacheEvictor? evictor)
    {
        if (evictor is null) return NoOverlay();
        if ((key is null) == (prefix is null)) return Problem(400, "give exactly one of ?key= and ?prefix=");
        var evicted = key is not null
            ? await evictor.EvictKeyAsync(bucket, key, context.RequestAborted)
            : await evictor.EvictPrefixAsync(bucket, prefix!, context.RequestAborted);
        return Results.Json(new EvictAnswer(bucket, key, prefix, evicted), AdminJson.Default.EvictAnswer);
    }

    /// <summary>Starts prefetching <c>?key=</c> or everything under <c>?prefix=</c> (all of the bucket without either) from the remote; 202 with the job to follow.</summary>
    private static IResult Warm(string bucket, string? key, string? prefix, [FromServices] WarmJobs? jobs)
    {
        if (jobs is null) return NoOverlay();
        if (key is not null && prefix is not null) return Problem(400, "give at most one of ?key= and ?prefix=");
        if (key is "") return Problem(400, "?key= is empty");
        var job = jobs.Start(bucket, prefix ?? "", key);
        var location = $"{Prefix}/jobs/{job.Id}";
        return Results.Json(new WarmStarted(job.Id, location), AdminJson.Default.WarmStarted, statusCode: 202);
    }

    private static IResult Job(string id, [FromServices] WarmJobs? jobs) =>
        jobs is null ? NoOverlay()
        : jobs.Find(id) is { } job ? Results.Json(job.ToAnswer(), AdminJson.Default.WarmJobAnswer)
        : Problem(404, $"no job {id}");

    /// <summary>Keys under <c>?prefix=</c> hidden by a whiteout, with when they were deleted (at most <c>?limit=</c>, 1000 by default).</summary>
    private static async Task<IResult> ListWhiteoutsAsync(string bucket, string? prefix, int? limit, HttpContext context, [FromServices] WhiteoutIndex? index)
    {
        if (index is null) return NoOverlay();
        var max = Math.Clamp(limit ?? 1000, 1, 10_000);
        var whiteouts = new List<Whiteout>();
        await foreach (var whiteout in index.ListAsync(bucket, prefix ?? "", context.RequestAborted))
        {
            if (whiteouts.Count == max) return Shown(bucket, prefix, whiteouts, truncated: true);
            whiteouts.Add(whiteout);
        }
        return Shown(bucket, prefix, whiteouts, truncated: false);
    }

    private static IResult Shown(string bucket, string? prefix, List<Whiteout> whiteouts, bool truncated) => Results.Json(
        new WhiteoutsAnswer(bucket, prefix ?? "", whiteouts.ConvertAll(w => new WhiteoutShown(w.Key, w.DeletedAt)), truncated),
        AdminJson.Default.WhiteoutsAnswer);

    /// <summary>Clears the whiteout of <c>?key=</c>, or every one under <c>?prefix=</c>: the remote's objects show again.</summary>
    private static async Task<IResult> ClearWhiteoutsAsync(string bucket, string? key, string? prefix, HttpContext context, [FromServices] WhiteoutIndex? index)
    {
        if (index is null) return NoOverlay();
        if ((key is null) == (prefix is null)) return Problem(400, "give exactly one of ?key= and ?prefix=");
        var keys = new List<string>();
        if (key is not null)
        {
            if (await index.ExistsAsync(bucket, key, context.RequestAborted)) keys.Add(key);
        }
        else
        {
            await foreach (var whiteout in index.ListAsync(bucket, prefix!, context.RequestAborted)) keys.Add(whiteout.Key);
        }
        foreach (var cleared in keys) await index.ClearAsync(bucket, cleared, context.RequestAborted);
        return Results.Json(new ClearedAnswer(bucket, key, prefix, keys.Count), AdminJson.Default.ClearedAnswer);
    }

    /// <summary>The operator's sign-in (<see cref="OperatorAccess"/>), for the bucket the request names.</summary>
    private static async ValueTask<object?> RequireUserAsync(AuthSettings auth, EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var bucket = http.Request.RouteValues.TryGetValue("bucket", out var value) ? value as string : null;
        return OperatorAccess.Refusal(http, auth, bucket) ?? await next(invocation);
    }

    /// <summary>A bucket is named as the S3 API names it (<c>..</c>, <c>.</c> or <c>a/b</c> never reach the overlay's parts).</summary>
    private static async ValueTask<object?> RequireBucketName(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (invocation.HttpContext.Request.RouteValues.TryGetValue("bucket", out var value) && value is string bucket && !S3.BucketNames.IsAddressable(bucket))
            return Problem(400, $"'{bucket}' is not a bucket name");
        return await next(invocation);
    }

    private static IResult NoOverlay() => Problem(404, "the overlay is off (no remote is configured): there is no cache");

    internal static IResult Problem(int status, string message) => Results.Json(new AdminProblem(message), AdminJson.Default.AdminProblem, statusCode: status);
}
