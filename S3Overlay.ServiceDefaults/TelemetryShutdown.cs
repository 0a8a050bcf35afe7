using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace S3Overlay.ServiceDefaults;

/// <summary>
/// Delivers the last spans, metrics and logs when the host stops, and gives up on them after
/// <see cref="Deadline"/>. OpenTelemetry.Extensions.Hosting starts the providers but does nothing on
/// stop: they shut down when the container is disposed, each waiting up to 5 s for an export that
/// retries until its own 10 s timeout (OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory, which Aspire
/// sets). With the collector gone, as the Aspire dashboard is when the app stops, a proxy took 11-15 s
/// to exit; the orchestrator killed the `dotnet run` in front of it after ~6 s and left the proxy
/// running on its own. Registered first, so it stops after every other hosted service.
/// </summary>
internal sealed class TelemetryShutdown(IServiceProvider services) : IHostedService
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // A shutdown exports what is left; one deadline for all three (blocking: the SDK has no async
        // form). A provider shut down here is not waited for again when the container disposes it.
        var started = Environment.TickCount64;
        int Left() => (int)Math.Max(0, Deadline.TotalMilliseconds - (Environment.TickCount64 - started));
        services.GetService<TracerProvider>()?.Shutdown(Left());
        services.GetService<MeterProvider>()?.Shutdown(Left());
        services.GetService<LoggerProvider>()?.Shutdown(Left());
        return Task.CompletedTask;
    }
}
