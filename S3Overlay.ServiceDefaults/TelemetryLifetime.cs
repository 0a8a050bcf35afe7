using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace S3Overlay.ServiceDefaults;

/// <summary>
/// Starts the providers with the host (they are lazy singletons: unresolved, nothing listens)
/// and flushes them when it stops, so a short-lived process still delivers its last spans,
/// metrics and logs. The container disposes (shuts down) them afterwards.
/// </summary>
internal sealed class TelemetryLifetime(IServiceProvider services) : IHostedService
{
    private const int FlushTimeoutMs = 5_000;

    private TracerProvider? _tracing;
    private MeterProvider? _metrics;
    private LoggerProvider? _logging;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _tracing = services.GetService<TracerProvider>();
        _metrics = services.GetService<MeterProvider>();
        _logging = services.GetService<LoggerProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Blocking (the SDK's flush has no async form) and bounded by one deadline for all three,
        // so an unreachable collector delays shutdown by at most that.
        var started = Environment.TickCount64;
        int Left() => (int)Math.Max(0, FlushTimeoutMs - (Environment.TickCount64 - started));
        _tracing?.ForceFlush(Left());
        _metrics?.ForceFlush(Left());
        _logging?.ForceFlush(Left());
        return Task.CompletedTask;
    }
}
