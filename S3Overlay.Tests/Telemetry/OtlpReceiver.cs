using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Telemetry;

/// <summary>
/// An OTLP collector in miniature: Kestrel on 127.0.0.1:0 accepting the exporter's protobuf
/// POSTs over HTTP (/v1/traces, /v1/metrics, /v1/logs) or over gRPC (HTTP/2 without TLS,
/// /opentelemetry.proto.collector.trace.v1.TraceService/Export, ...) and keeping the request
/// messages for the test to decode.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // gRPC without TLS is HTTP/2 with prior knowledge: no upgrade from HTTP/1.1.
        if (grpc) builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            receiver._received.Enqueue((signal, await ReadAllAsync(request.Body)));
            // An empty ExportXxxServiceResponse is an empty protobuf message.
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
        {
            // One gRPC message: a compressed flag, a 4-byte big-endian length, the protobuf.
            var framed = await ReadAllAsync(context.Request.Body);
            receiver._received.Enqueue((signal == "trace" ? "traces" : signal, framed[5..]));
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return receiver;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var body = new MemoryStream();
        await stream.CopyToAsync(body);
        return body.ToArray();
    }

    public int Count => _received.Count;

    /// <summary>The bodies received for one signal: <c>traces</c>, <c>metrics</c> or <c>logs</c>.</summary>
    public IReadOnlyList<byte[]> Bodies(string signal) => [.. _received.Where(r => r.Signal == signal).Select(r => r.Body)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
