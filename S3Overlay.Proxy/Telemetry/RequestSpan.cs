using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace S3Overlay.Telemetry;

/// <summary>Names ASP.NET Core's request span after the S3 operation it carries (<c>S3 GetObject</c>) and tags it.</summary>
internal static class RequestSpan
{
    // A few dozen operations: each name is built once, not once a request.
    private static readonly ConcurrentDictionary<string, string> DisplayNames = new(StringComparer.Ordinal);

    public static void Describe(HttpContext context, string operation, string? bucket)
    {
        // Unrecorded when nothing listens: then this is a feature lookup and nothing more.
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is not { Recorded: true, IsAllDataRequested: true } activity) return;
        activity.DisplayName = DisplayNames.GetOrAdd(operation, static op => "S3 " + op);
        activity.SetTag(OverlayTelemetry.Tags.Operation, operation);
        if (bucket is not null) activity.SetTag(OverlayTelemetry.Tags.Bucket, bucket);
    }

    /// <summary>The S3 error code the request was answered with (<c>NoSuchKey</c>, <c>AccessDenied</c>, ...).</summary>
    public static void Failed(HttpContext context, string errorCode)
    {
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is { Recorded: true, IsAllDataRequested: true } activity)
            activity.SetTag(OverlayTelemetry.Tags.ErrorCode, errorCode);
    }
}
