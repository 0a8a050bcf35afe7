using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.Storage;

namespace S3Overlay.Telemetry;

/// <summary>
/// Health of the store behind the front end, through the seam: the composed store's
/// <see cref="IObjectStore.CheckHealthAsync"/> checks what it is made of (the overlay: its local
/// and its remote store) and throws, naming the part, when one cannot be reached.
/// </summary>
internal sealed class StorageHealthCheck(IObjectStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            await store.CheckHealthAsync(cancellationToken);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }
}
