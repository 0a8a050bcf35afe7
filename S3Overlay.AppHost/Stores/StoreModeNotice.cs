using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace S3Overlay.AppHost.Stores;

/// <summary>Says in the AppHost's log how the stores run and why (the setting, or what the runtime probe found).</summary>
internal sealed class StoreModeNotice(StoreMode mode, string reason, ILogger<StoreModeNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Stores run as {Mode} ({Reason}).", mode == StoreMode.Containers ? "MinIO containers" : "s3overlay serve processes", reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Removes the process stores' folders once the application has stopped: ApplicationStopped comes
/// after every hosted service has stopped, the orchestrator's included, so the servers are gone.
/// </summary>
internal sealed class RunFolderCleanup(string folder, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopped.Register(() =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is a temporary folder.
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
