using Microsoft.Extensions.Hosting;

namespace S3Overlay.AppHost.Stores;

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
