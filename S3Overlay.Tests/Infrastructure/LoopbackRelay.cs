using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// What the test relays (<see cref="CountingRelay"/>, <see cref="FaultRelay"/>) share: a Kestrel app
/// on 127.0.0.1:0 that hands every request to the relay, and a faithful forward of a request to the
/// server behind it, its answer's status and headers copied back.
/// </summary>
internal static class LoopbackRelay
{
    public static async Task<(WebApplication App, HttpClient Target)> StartAsync(string targetUrl, RequestDelegate relay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        var app = builder.Build();
        var target = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = new Uri(targetUrl),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        app.Run(relay);
        await app.StartAsync();
        return (app, target);
    }

    /// <summary>Sends the request on as it came (body streamed) and answers the target's status and headers; the body is the caller's to send.</summary>
    public static async Task<HttpResponseMessage> ForwardAsync(HttpClient target, HttpContext context)
    {
        var request = context.Request;
        // The target as it came on the wire: decoded and encoded again, it could differ from what was
        // signed (`%40` comes back `@`), and a server that checks signatures (RGW) refuses it.
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), rawTarget);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            forward.Content = new StreamContent(request.Body);
        // An empty body's content headers (a CreateBucket's Content-Type, say) go on too: a server
        // that checks signatures (RGW) refuses a request that lost a header it signed.
        else if (request.ContentLength == 0 || request.ContentType is not null)
            forward.Content = new ByteArrayContent([]);
        // The Host the request was signed for: a server that checks signatures over it (the proxy itself) sees what was signed.
        forward.Headers.Host = request.Host.Value;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        var answer = await target.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                response.Headers[name] = values.ToArray();
        return answer;
    }
}
