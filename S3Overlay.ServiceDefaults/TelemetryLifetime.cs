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
        // Blocking, bounded: the exporters' own flush has no async form.
        _tracing?.ForceFlush(FlushTimeoutMs);
        _metrics?.ForceFlush(FlushTimeoutMs);
        _logging?.ForceFlush(FlushTimeoutMs);
        return Task.CompletedTask;
    }
}
