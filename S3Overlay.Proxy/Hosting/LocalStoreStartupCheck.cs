using S3Overlay.Configuration;
using S3Overlay.Storage.S3;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Hosting;

/// <summary>
/// Stops start-up, naming the endpoint, when the S3 server configured as the local store does
/// not answer or refuses the credentials: better than a proxy that answers every request 503.
/// </summary>
internal sealed class LocalStoreStartupCheck(LocalStoreSettings settings, S3ObjectStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            await store.ListBucketsAsync(ct);
        }
        catch (StorageException e)
        {
            throw new SettingException(settings.Setting, e.Message.TrimEnd('.'));
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
