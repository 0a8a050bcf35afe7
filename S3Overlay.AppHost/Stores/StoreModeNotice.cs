using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace S3Overlay.AppHost.Stores;

/// <summary>Says in the AppHost's log how the stores run and why (the setting, or what the runtime probe found).</summary>
internal sealed class StoreModeNotice(StoreMode mode, string reason, ILogger<StoreModeNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Stores run as {Mode} ({Reason}).", mode switch
        {
            StoreMode.Containers => "MinIO containers",
            StoreMode.Rgw => "Ceph RGW processes",
            _ => "s3overlay serve processes",
        }, reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
