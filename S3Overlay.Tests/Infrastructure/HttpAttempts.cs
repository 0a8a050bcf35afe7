using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// Counts the HTTP requests this process sends to one port, each attempt on its own, as
/// System.Net.Http's own metric records them (<c>http.client.request.duration</c>), failed ones
/// too: the way to count what reaches a remote that refuses every connection, which sees none.
/// </summary>
/// <remarks>The proxy runs in process, so its remote client's requests are counted here; the port tells them from every other test's.</remarks>
public sealed class HttpAttempts : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly int _port;

    public HttpAttempts(string url)
    {
        _port = new Uri(url).Port;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Meter.Name: "System.Net.Http", Name: "http.client.request.duration" }) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? error = null;
            var ours = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port") ours = Convert.ToInt32(tag.Value) == _port;
                else if (tag.Key == "error.type") error = tag.Value?.ToString();
            }
            if (ours) _errors.Enqueue(error ?? "answered");
        });
        _listener.Start();
    }

    /// <summary>Requests sent to the port so far: what each came to (<c>answered</c>, or its error type, <c>connection_error</c> for a refused connection).</summary>
    public IReadOnlyList<string> Sent => _errors.ToArray();

    public void Dispose() => _listener.Dispose();
}
