using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A tiny reverse proxy on 127.0.0.1:0 in front of a real S3 server (s3rver): it counts what
/// reaches the remote (requests by method, body bytes relayed) and can be told to misbehave the
/// ways a remote does: answer 500, refuse connections, or cut a body halfway.
/// </summary>
public sealed class CountingRelay : IAsyncDisposable
{
    public enum Behaviour { Relay, Answer500, CutMidBody }

    private readonly WebApplication _app;
    private readonly HttpClient _target;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<RemoteRequest> _log = new();
    private long _bytes;
    private int _open;
    private bool _stopped;

    private CountingRelay(WebApplication app, HttpClient target)
    {
        _app = app;
        _target = target;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
    }

    public string Url { get; }

    public Behaviour Mode { get; set; }

    /// <summary>How long every request waits before it is relayed: a slow remote, so concurrent readers surely overlap.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every request waits for this to complete before it is relayed: a store that has not answered yet, on cue.</summary>
    public TaskCompletionSource? Held { get; set; }

    /// <summary>With <see cref="Behaviour.CutMidBody"/>: how many body bytes pass before the connection is cut.</summary>
    public long CutAfterBytes { get; set; } = 64 * 1024;

    /// <summary>When set, a relayed body pauses after <see cref="CutAfterBytes"/> bytes until this completes: a slow remote, on cue.</summary>
    public TaskCompletionSource? PauseMidBody { get; set; }

    /// <summary>Requests that reached the relay with this method (GET, HEAD, PUT, ...).</summary>
    public int Requests(string method) => _requests.GetValueOrDefault(method);

    public int TotalRequests => _requests.Values.Sum();

    /// <summary>One request that reached the remote: its method, its target as it came on the wire, the range it asked for (null: the whole object).</summary>
    public sealed record RemoteRequest(string Method, string Target, string? Range)
    {
        /// <summary>Its method and range, as a test's output tells it: <c>GET bytes=0-99</c>, <c>GET whole</c>.</summary>
        public override string ToString() => $"{Method} {Range ?? "whole"}";
    }

    /// <summary>Every request, in the order they came.</summary>
    public IReadOnlyList<RemoteRequest> Log => _log.ToArray();

    /// <summary>Every request's target as it came on the wire (<c>/bucket/key?query</c>, undecoded, before any normalisation).</summary>
    public IReadOnlyList<string> Targets => _log.Select(r => r.Target).ToArray();

    /// <summary>Every request's method and the range it asked for (<c>GET bytes=0-99</c>, <c>GET whole</c>), for a test's output.</summary>
    public IReadOnlyList<string> Asked => _log.Select(r => r.ToString()).ToArray();

    /// <summary>Every request's method, range and target (<c>GET whole /bucket/key</c>), for a test's output: a listing or a bucket lookup is a GET too.</summary>
    public string Described => string.Join(", ", _log.Select(r => $"{r} {r.Target}"));

    /// <summary>Requests being answered now: one the proxy has let go of (disposed its answer) ends, even mid-body.</summary>
    public int OpenRequests => Volatile.Read(ref _open);

    /// <summary>Response body bytes relayed from the remote to the proxy.</summary>
    public long BytesRelayed => Interlocked.Read(ref _bytes);

    public void ResetCounts()
    {
        _requests.Clear();
        _log.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    public static async Task<CountingRelay> StartAsync(string targetUrl)
    {
        CountingRelay? relay = null;
        var (app, target) = await LoopbackRelay.StartAsync(targetUrl, context => relay!.RelayAsync(context));
        relay = new CountingRelay(app, target);
        return relay;
    }

    /// <summary>Stops listening: from now on the remote refuses connections.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    private async Task RelayAsync(HttpContext context)
    {
        Interlocked.Increment(ref _open);
        try
        {
            await RelayOpenAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task RelayOpenAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.AddOrUpdate(request.Method, 1, (_, n) => n + 1);
        _log.Enqueue(new RemoteRequest(request.Method, context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, request.Headers.Range));
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, context.RequestAborted);
        if (Held is { } held) await held.Task.WaitAsync(context.RequestAborted);
        if (Mode == Behaviour.Answer500)
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code><Message>relay told to fail</Message></Error>");
            return;
        }

        using var answer = await LoopbackRelay.ForwardAsync(_target, context);
        var response = context.Response;
        if (HttpMethods.IsHead(request.Method)) return;

        await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[64 * 1024];
        long sent = 0;
        int read;
        var paused = false;
        while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (!paused && PauseMidBody is { } pause && sent >= CutAfterBytes)
            {
                paused = true;
                await response.Body.FlushAsync(context.RequestAborted);
                await pause.Task.WaitAsync(context.RequestAborted);
            }
            if (Mode == Behaviour.CutMidBody && sent + read > CutAfterBytes)
            {
                var part = (int)(CutAfterBytes - sent);
                Interlocked.Add(ref _bytes, part);
                await response.Body.WriteAsync(buffer.AsMemory(0, part));
                await response.Body.FlushAsync();
                context.Abort();
                return;
            }
            // Counted before they are written: once the proxy has the bytes (and its client, and
            // the test), the count has them. Counted after, the proxy could finish with them
            // before the write's continuation ran (seen: 64 KiB short of a whole chunked read).
            Interlocked.Add(ref _bytes, read);
            await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            sent += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _target.Dispose();
    }
}
