using Microsoft.Extensions.Hosting;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// Loads the eviction bookkeeping at start-up (evicting at once if a lower cap now applies),
/// writes it to the local store every <see cref="CacheLimits.IndexFlushInterval"/>, and once
/// more when the proxy stops. While it runs, the cache's size is reported to telemetry.
/// </summary>
public sealed class CacheIndexFlusher(OverlayObjectStore overlay, TimeProvider clock) : BackgroundService
{
    private IDisposable? _sizeObserved;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _sizeObserved = Telemetry.OverlayTelemetry.ObserveCacheSize(() => overlay.Cache.TotalBytes);
        await overlay.Cache.LoadAsync(stoppingToken);
        overlay.EvictIfOverHighWatermark();
        using var timer = new PeriodicTimer(overlay.Settings.Limits.IndexFlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await overlay.Cache.FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _sizeObserved?.Dispose();
        await overlay.Cache.FlushAsync(cancellationToken);
    }
}
