using Microsoft.Extensions.Diagnostics.HealthChecks;
using S3Overlay.AppHost.Seeding;

namespace S3Overlay.AppHost.Stores;

/// <summary>
/// Healthy once the store answers a ListBuckets signed with its own credentials. RGW answers an
/// anonymous <c>GET /</c> before its cluster script has made the S3 user, and a proxy started in
/// between would be refused its first request.
/// </summary>
internal sealed class SignedS3HealthCheck(IS3StoreResource store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await store.ConnectionStringExpression.GetValueAsync(cancellationToken)
                ?? throw new InvalidOperationException($"{store.Name} has no connection string yet.");
            using var client = DemoObjects.CreateClient(connectionString);
            await client.ListBucketsAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"a signed ListBuckets failed: {e.Message}");
        }
    }
}
