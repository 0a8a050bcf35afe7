using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Tests.Infrastructure.Brokers;

/// <summary>
/// A webhook that notification targets POST events to: Kestrel on a free loopback port (HTTP, or
/// HTTPS with a certificate of the test's own), keeping every body and Authorization header it
/// took. While <see cref="Down"/> it answers 503 and keeps nothing, as a target that is down.
/// It counts how many POSTs it held at once, in all and of one object's key.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(JsonElement Body, string? Authorization)> _taken = new();
    private readonly ConcurrentDictionary<string, int> _heldByKey = new();
    private int _refused;
    private int _held;
    private int _mostHeld;
    private int _mostHeldOfOneKey;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/events";

    /// <summary>While true every POST is answered 503 and dropped.</summary>
    public bool Down { get; set; }

    /// <summary>How long each POST is held before it is taken (a target a round trip away, or slow).</summary>
    public TimeSpan Hold { get; set; }

    /// <summary>The most POSTs held at once.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostHeld);

    /// <summary>The most POSTs of one key (the body's <c>Key</c>) held at once.</summary>
    public int MostAtOnceOfOneKey => Volatile.Read(ref _mostHeldOfOneKey);

    /// <summary>POSTs answered 503 while down.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Every body taken, in arrival order, with its Authorization header.</summary>
    public IReadOnlyList<(JsonElement Body, string? Authorization)> Taken => [.. _taken];

    /// <summary>The records of every body taken, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Records => [.. _taken.SelectMany(t => t.Body.GetProperty("Records").EnumerateArray())];

    /// <param name="certificate">With a certificate (and its key), HTTPS.</param>
    public static async Task<WebhookReceiver> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/events", async (HttpContext context) =>
        {
            if (receiver.Down)
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var key = body.RootElement.TryGetProperty("Key", out var named) ? named.GetString() ?? "" : "";
            Most(ref receiver._mostHeld, Interlocked.Increment(ref receiver._held));
            Most(ref receiver._mostHeldOfOneKey, receiver._heldByKey.AddOrUpdate(key, 1, (_, n) => n + 1));
            try
            {
                if (receiver.Hold > TimeSpan.Zero) await Task.Delay(receiver.Hold);
                receiver._taken.Enqueue((body.RootElement.Clone(), context.Request.Headers.Authorization.FirstOrDefault()));
            }
            finally
            {
                receiver._heldByKey.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref receiver._held);
            }
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    private static void Most(ref int most, int now)
    {
        for (var seen = Volatile.Read(ref most); now > seen; seen = Volatile.Read(ref most))
            if (Interlocked.CompareExchange(ref most, now, seen) == seen) return;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
