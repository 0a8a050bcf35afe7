using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Routing;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Cors;

/// <summary>
/// A bucket's own CORS rules (PutBucketCors), applied to requests from a browser (those with an
/// Origin) before authentication, as S3 does: a preflight is answered here, a real request gets
/// the matching rule's headers. A bucket without rules is left to the server-wide default
/// (<c>S3_OVERLAY_CORS_ORIGINS</c>), which runs after this.
/// </summary>
internal sealed class BucketCors(RequestDelegate next, BucketCorsRules bucketRules, S3FrontEndOptions options)
{
    /// <summary>Set when the bucket's rules decided, so the server-wide default stays out.</summary>
    public const string DecidedItem = "S3Overlay.BucketCorsDecided";

    public async Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || await RulesOfAsync(context) is not { } rules)
        {
            await next(context);
            return;
        }
        context.Items[DecidedItem] = true;
        var request = context.Request;
        var preflightMethod = request.Headers.AccessControlRequestMethod.ToString();
        if (HttpMethods.IsOptions(request.Method) && preflightMethod.Length > 0)
        {
            var asked = request.Headers.AccessControlRequestHeaders.ToString()
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var rule = rules.FirstOrDefault(r => r.MatchesOrigin(origin) && r.AllowsMethod(preflightMethod) && r.AllowsHeaders(asked));
            if (rule is null)
            {
                await S3ErrorWriter.WriteAsync(context, new S3Exception(S3Error.CorsForbidden), context.TraceIdentifier);
                return;
            }
            WriteHeaders(context.Response, rule, origin);
            if (asked.Length > 0) context.Response.Headers.AccessControlAllowHeaders = string.Join(", ", asked);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        // The method a rule must allow is the one the request names in Access-Control-Request-Method
        // when it sends one, as S3 decides (ceph/s3-tests' test_cors_origin_response), else its own.
        var method = preflightMethod.Length > 0 ? preflightMethod : request.Method;
        if (rules.FirstOrDefault(r => r.MatchesOrigin(origin) && r.AllowsMethod(method)) is { } matched)
            context.Response.OnStarting(() =>
            {
                WriteHeaders(context.Response, matched, origin);
                return Task.CompletedTask;
            });
        await next(context);
    }

    private static void WriteHeaders(HttpResponse response, CorsRule rule, string origin)
    {
        var headers = response.Headers;
        var anyOrigin = rule.AllowedOrigins.Contains("*");
        headers.AccessControlAllowOrigin = anyOrigin ? "*" : origin;
        if (!anyOrigin) headers.AccessControlAllowCredentials = "true";
        headers.AccessControlAllowMethods = string.Join(", ", rule.AllowedMethods);
        if (rule.ExposeHeaders.Count > 0) headers.AccessControlExposeHeaders = string.Join(", ", rule.ExposeHeaders);
        if (rule.MaxAgeSeconds is { } age) headers.AccessControlMaxAge = age.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers.Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
    }

    /// <summary>The addressed bucket's rules; null when it has none (or there is no bucket to ask about).</summary>
    private async Task<List<CorsRule>?> RulesOfAsync(HttpContext context)
    {
        try
        {
            return S3Address.From(context, options.BaseDomain).Bucket is { } bucket && BucketNames.IsAddressable(bucket)
                ? await bucketRules.OfAsync(bucket, context.RequestAborted)
                : null;
        }
        catch (Exception caught) when (caught is S3Exception or StorageException)
        {
            return null; // no such bucket, or not an S3 address: S3Endpoint answers that
        }
    }
}
