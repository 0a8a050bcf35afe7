using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Routing;
using S3Overlay.Storage.Errors;

namespace S3Overlay.S3.Cors;

/// <summary>
/// S3's answers to a preflight (OPTIONS to a bucket or object, presigned URLs included) that no
/// CORS rule can answer: 400 without an <c>Origin</c> or a valid <c>Access-Control-Request-Method</c>,
/// 403 when the bucket has no CORS configuration (nor the server a default one) or does not exist.
/// The rest goes on to the bucket's rules (<see cref="BucketCors"/>) or the server-wide default.
/// </summary>
internal sealed class CorsPreflightChecks(RequestDelegate next, BucketCorsRules bucketRules, S3FrontEndOptions options, IServiceProvider services)
{
    private static readonly string[] Methods = ["GET", "PUT", "HEAD", "POST", "DELETE"];
    private readonly bool _serverDefault = services.GetService<ICorsService>() is not null;

    public async Task InvokeAsync(HttpContext context)
    {
        var refusal = HttpMethods.IsOptions(context.Request.Method) ? await RefusalAsync(context) : null;
        if (refusal is null) await next(context);
        else await S3ErrorWriter.WriteAsync(context, refusal, context.TraceIdentifier);
    }

    private async Task<S3Exception?> RefusalAsync(HttpContext context)
    {
        string? bucket;
        try
        {
            bucket = S3Address.From(context, options.BaseDomain).Bucket;
        }
        catch (S3Exception)
        {
            return null; // not an S3 address: S3Endpoint answers that
        }
        if (bucket is null || !BucketNames.IsAddressable(bucket)) return null;
        var headers = context.Request.Headers;
        if (headers.Origin.ToString().Length == 0)
            return new S3Exception(S3Error.BadRequest.WithMessage("Insufficient information. Origin request header needed."));
        var method = headers.AccessControlRequestMethod.ToString();
        if (!Methods.Contains(method, StringComparer.Ordinal))
            return new S3Exception(S3Error.BadRequest.WithMessage($"Invalid Access-Control-Request-Method: {(method.Length == 0 ? "null" : method)}"));
        if (_serverDefault) return null;
        try
        {
            return await bucketRules.OfAsync(bucket, context.RequestAborted) is null
                ? new S3Exception(S3Error.CorsForbidden.WithMessage("CORSResponse: CORS is not enabled for this bucket."))
                : null;
        }
        catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
        {
            return new S3Exception(S3Error.CorsForbidden.WithMessage("CORSResponse: Bucket not found"));
        }
    }
}
