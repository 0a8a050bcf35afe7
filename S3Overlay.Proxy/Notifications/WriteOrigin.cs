using Microsoft.AspNetCore.Http;
using S3Overlay.S3;

namespace S3Overlay.Notifications;

/// <summary>
/// Who made a write, and by which S3 operation, as its event tells: read from the S3 request in
/// whose handling the store was called. A write with no S3 request is the server's own (the
/// lifecycle scanner's expirations).
/// </summary>
internal sealed record WriteOrigin(string Operation, string? PrincipalId, string? SourceIp, string RequestId, string? Host, string? UserAgent)
{
    public static WriteOrigin? Of(HttpContext? http)
    {
        if (http is null || RequestOf(http) is not { } request) return null;
        return new WriteOrigin(request.Operation, request.AccessKey, http.Connection.RemoteIpAddress?.ToString(), request.RequestId,
            http.Request.Host.Value, http.Request.Headers.UserAgent.ToString());
    }

    /// <summary>The S3 operation being handled (<c>GetObject</c>); null outside an S3 request. Cheaper than <see cref="Of"/>, for every read.</summary>
    public static string? OperationOf(HttpContext? http) => RequestOf(http)?.Operation;

    private static S3Request? RequestOf(HttpContext? http) =>
        http?.Items.TryGetValue(typeof(S3Request), out var item) == true ? item as S3Request : null;
}
