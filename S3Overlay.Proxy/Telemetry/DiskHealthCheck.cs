using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Telemetry;

/// <summary>
/// The embedded store's data folder has room to write. Degraded, not unhealthy, when it has not:
/// reads go on (a load balancer should keep sending them), writes are answered 507. One statvfs
/// per call, so it needs no reuse of results as the store's check does.
/// </summary>
internal sealed class DiskHealthCheck(FileSystemObjectStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(store.SpaceShortage() is { } shortage
            ? HealthCheckResult.Degraded(shortage)
            : HealthCheckResult.Healthy("room to write"));
}
