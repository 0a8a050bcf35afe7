using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using S3Overlay.S3;
using S3Overlay.S3.Errors;
using S3Overlay.Overlay.Events;

namespace S3Overlay.Admin;

/// <summary>
/// <c>POST /_overlay/events</c>: where the remote pushes its S3 event notifications (RGW's and
/// MinIO's HTTP targets, an SNS HTTPS subscription). On only with
/// <c>S3_OVERLAY_REMOTE_EVENTS_TOKEN</c> set (and a remote); otherwise 404, as any path that is not.
/// Beside the admin API: an operator's door, with a token of its own. Refusals are S3 XML errors; a delivery taken is answered with its events' outcomes as JSON.
/// </summary>
internal static class RemoteEventsEndpoint
{

    public static WebApplication MapRemoteEvents(this WebApplication app)
    {
        if (app.Services.GetService<RemoteEventInbox>() is not { } inbox || app.Services.GetRequiredService<RemoteEventSettings>().Token is null) return app;
        app.MapPost(RemoteEventInbox.Path, (HttpContext context) => TakeAsync(context, inbox));
        return app;
    }

    private static async Task TakeAsync(HttpContext context, RemoteEventInbox inbox)
    {
        context.Response.Headers.CacheControl = "no-store";
        var requestId = RequestIds.Next();
        context.Response.Headers["x-amz-request-id"] = requestId;
        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            await S3ErrorWriter.WriteAsync(context, new S3Exception(S3Error.EntityTooLarge.WithMessage($"An event delivery is at most {S3EventRecords.MaxBytes} bytes.")), requestId);
            return;
        }
        var answer = await inbox.TakeAsync(body.Value, Presented(context.Request), authenticated: false, context.RequestAborted,
            fromPeer: context.Request.Headers.ContainsKey(EventPeers.FromPeerHeader));
        if (answer.ErrorCode is { } code)
        {
            if (answer.Status == 401) context.Response.Headers.WWWAuthenticate = "Bearer";
            await S3ErrorWriter.WriteAsync(context, new S3Exception(new S3Error(code, answer.Status, answer.Message)), requestId);
            return;
        }
        await Results.Json(new EventsTaken(answer.Message, answer.Outcomes.Select(EventStatistics.OutcomeName).ToList()), EventsJson.Default.EventsTaken).ExecuteAsync(context);
    }

    /// <summary>The token the request carries: its <c>token</c> query parameter, or its <c>Authorization: Bearer</c> token.</summary>
    private static string? Presented(HttpRequest request)
    {
        if (request.Query.TryGetValue("token", out var query) && query.Count == 1 && query[0] is { Length: > 0 } fromQuery) return fromQuery;
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > bearer.Length ? authorization[bearer.Length..].Trim() : null;
    }

    /// <returns>The body, or null when it is longer than a delivery may be.</returns>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > S3EventRecords.MaxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > S3EventRecords.MaxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}

/// <summary>The answer to a delivery taken: what became of each of its events, in order.</summary>
internal sealed record EventsTaken(string Message, IReadOnlyList<string> Outcomes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EventsTaken))]
internal sealed partial class EventsJson : JsonSerializerContext;
