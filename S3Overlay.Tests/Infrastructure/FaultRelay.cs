using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>The ways a remote misbehaves, as <see cref="FaultRelay"/> plays them.</summary>
public enum FaultKind
{
    /// <summary>The connection is aborted after <see cref="Fault.AfterBytes"/> body bytes.</summary>
    Reset,
    /// <summary>The body ends after <see cref="Fault.AfterBytes"/> bytes while Content-Length promised all of them.</summary>
    Truncate,
    /// <summary>The body stops after <see cref="Fault.AfterBytes"/> bytes and nothing more comes until the fault is healed.</summary>
    Stall,
    /// <summary>The request (its body too) is taken, and no answer at all (not even headers) comes until the fault is healed.</summary>
    Silent,
    /// <summary>An S3 error answer with <see cref="Fault.Status"/> instead of the object.</summary>
    Status,
    /// <summary>The right headers (ETag included) with one byte of the body changed at <see cref="Fault.AfterBytes"/>.</summary>
    Corrupt,
    /// <summary>The right answer, every 16 KiB of body after a pause of <see cref="Fault.Delay"/>.</summary>
    Slow,
    /// <summary>
    /// One byte of the body changed at <see cref="Fault.AfterBytes"/>, and the ETag made the MD5 of
    /// the changed body: only a checksum the remote gives (kept as it was) can tell it from the right one.
    /// </summary>
    Forge,
}

public sealed record Fault(FaultKind Kind, long AfterBytes = 0, int Status = 500, TimeSpan Delay = default)
{
    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"{Status}",
        FaultKind.Slow => $"slow {Delay.TotalMilliseconds:0} ms",
        _ => $"{Kind.ToString().ToLowerInvariant()} after {AfterBytes} B",
    };
}

/// <summary>
/// A reverse proxy on 127.0.0.1:0 between the overlay and a real remote (s3rver) that injects
/// faults on real sockets: <see cref="Plan"/> decides, per request, which fault (if any) the
/// answer gets. <see cref="Heal"/> lifts every stall and stops the plan.
/// </summary>
public sealed class FaultRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _target;
    private TaskCompletionSource _healed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _faults;
    private int _requests;

    private FaultRelay(WebApplication app, HttpClient target)
    {
        _app = app;
        _target = target;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
    }

    public string Url { get; }

    /// <summary>The fault for a request, or null to relay it faithfully. Called once per request.</summary>
    public Func<HttpRequest, Fault?> Plan { get; set; } = _ => null;

    /// <summary>Requests that were given a fault.</summary>
    public int FaultsInjected => Volatile.Read(ref _faults);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A plan that gives <paramref name="fault"/> to every GET with a body to send (not to HEADs, listings or health checks).</summary>
    public static Func<HttpRequest, Fault?> OnObjectGets(Fault fault) =>
        request => HttpMethods.IsGet(request.Method) && request.Path.Value!.Trim('/').Contains('/') ? fault : null;

    /// <summary>Relays faithfully from now on and releases every stalled answer.</summary>
    public void Heal()
    {
        Plan = _ => null;
        Interlocked.Exchange(ref _healed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public static async Task<FaultRelay> StartAsync(string targetUrl)
    {
        FaultRelay? relay = null;
        var (app, target) = await LoopbackRelay.StartAsync(targetUrl, context => relay!.RelayAsync(context));
        relay = new FaultRelay(app, target);
        return relay;
    }

    private async Task RelayAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var fault = Plan(context.Request);
        if (fault is not null) Interlocked.Increment(ref _faults);
        if (fault?.Kind == FaultKind.Silent)
        {
            var healed = _healed.Task;
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await healed.WaitAsync(context.RequestAborted);
            context.Abort();
            return;
        }
        if (fault?.Kind == FaultKind.Status)
        {
            context.Response.StatusCode = fault.Status;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>Injected{fault.Status}</Code><Message>fault relay</Message></Error>");
            return;
        }

        using var answer = await LoopbackRelay.ForwardAsync(_target, context);
        if (HttpMethods.IsHead(context.Request.Method)) return;

        await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        if (fault?.Kind == FaultKind.Forge)
        {
            await SendForgedAsync(context, body, fault.AfterBytes);
            return;
        }
        await SendBodyAsync(context, body, fault);
    }

    /// <summary>The body with one byte changed, under the ETag of what is sent (test objects are small: it is held whole).</summary>
    private static async Task SendForgedAsync(HttpContext context, Stream body, long at)
    {
        var bytes = new MemoryStream();
        await body.CopyToAsync(bytes, context.RequestAborted);
        var forged = bytes.ToArray();
        forged[at] ^= 0x5A;
        context.Response.Headers.ETag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(forged))}\"";
        await context.Response.Body.WriteAsync(forged, context.RequestAborted);
    }

    private async Task SendBodyAsync(HttpContext context, Stream body, Fault? fault)
    {
        var output = context.Response.Body;
        var ct = context.RequestAborted;
        // 16 KiB blocks: small enough that a fault lands inside the first chunk of a small test object.
        var buffer = new byte[16 * 1024];
        long sent = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (fault?.Kind == FaultKind.Slow) await Task.Delay(fault.Delay, ct);
            if (fault?.Kind == FaultKind.Corrupt && fault.AfterBytes >= sent && fault.AfterBytes < sent + read)
                buffer[fault.AfterBytes - sent] ^= 0x5A;
            if (fault?.Kind is FaultKind.Reset or FaultKind.Truncate or FaultKind.Stall && sent + read > fault.AfterBytes)
            {
                await output.WriteAsync(buffer.AsMemory(0, (int)(fault.AfterBytes - sent)), ct);
                await output.FlushAsync(ct);
                switch (fault.Kind)
                {
                    case FaultKind.Reset:
                        context.Abort();
                        return;
                    case FaultKind.Truncate:
                        // Returning short of Content-Length: Kestrel closes the connection, the body just ends.
                        return;
                    default:
                        await _healed.Task.WaitAsync(ct);
                        context.Abort();
                        return;
                }
            }
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            sent += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Heal();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _target.Dispose();
    }
}
