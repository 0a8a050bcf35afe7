using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.Storage;

namespace S3Overlay.Telemetry;

/// <summary>
/// Health of the store behind the front end, through the seam: the composed store's
/// <see cref="IObjectStore.CheckHealthAsync"/> checks what it is made of (the overlay: its local
/// and its remote store) and throws, naming the part, when one cannot be reached. The health
/// endpoint is anonymous, so a result is reused for <see cref="ReuseFor"/>: probes and
/// strangers calling it in a loop cost the remote one request per period, not one per call.
/// </summary>
internal sealed class StorageHealthCheck(IObjectStore store, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, Task<HealthCheckResult> Result)? _last;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        Task<HealthCheckResult> result;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_last is not { } last || now - last.At >= ReuseFor)
                _last = last = (now, RunAsync(context.Registration.FailureStatus));
            result = last.Result;
        }
        // Callers share the check; one that gives up does not cancel it for the others.
        return result.WaitAsync(cancellationToken);
    }

    private async Task<HealthCheckResult> RunAsync(HealthStatus failureStatus)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await store.CheckHealthAsync(timeout.Token);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e)
        {
            return new HealthCheckResult(failureStatus, e.Message, e);
        }
    }
}
