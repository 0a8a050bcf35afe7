using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Eviction;

/// <summary>
/// The overlay's life beside the host: at start-up, loads the eviction
/// bookkeeping, reconciles it with what is stored in the background (<see cref="CacheReconciler"/>;
/// then evicts at once if the cache is over its cap), and says what the remote is open to;
/// writes the bookkeeping to the local store every <see cref="CacheLimits.IndexFlushInterval"/>;
/// at shutdown, stops the background work (fills, read-ahead, eviction) and only then writes the
/// bookkeeping a last time, so nothing recorded after the flush is lost.
/// </summary>
internal sealed class CacheIndexFlusher(OverlaySettings settings, CacheIndex cache, CacheReconciler reconciler, CacheEvictor evictor, BackgroundWork work,
    OverlayMetrics metrics, TimeProvider clock, ILogger<CacheIndexFlusher> logger, Fleet.FleetRouting? fleet = null) : BackgroundService
{
    private static readonly TimeSpan RetryFlush = TimeSpan.FromSeconds(1);

    private IDisposable? _sizeObserved;
    // One adoption pass at a time (the fleet may change again while one runs).
    private readonly SemaphoreSlim _adopting = new(1, 1);
    private int _adoptions;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("The overlay reads through to {RemoteBuckets}; at most {MaxFills} fills at once", settings.RemoteBuckets.Describe(), settings.MaxFills);
        if (!settings.RemoteBuckets.Any && settings.RemoteBuckets.Named.Count == 0)
            logger.LogWarning("No remote bucket is reachable: set {Mapping} or {Allowed}", Configuration.Catalog.RemoteCatalog.BucketMapping.Name, Configuration.Catalog.RemoteCatalog.RemoteBuckets.Name);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _sizeObserved = metrics.ObserveCacheSize(() => cache.TotalBytes);
        await cache.LoadAsync(stoppingToken);
        if (!work.TryStart("cache index reconcile", ReconcileAsync)) reconciler.Skip();
        // A replica came or went (DNS): ownership moved, so what each accounts for moves with it.
        if (fleet is not null) fleet.Peers.Changed += () => work.TryStart("cache index adoption", AdoptAsync);
        using var timer = new PeriodicTimer(settings.Limits.IndexFlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await cache.FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var reconciled = await reconciler.RunAsync(ct);
        // A lower cap may apply now, or what it added may put the cache over its cap.
        evictor.EvictIfOverHighWatermark();
        if (!reconciled) return;
        // "Reconciled" once the record says so too, and after the eviction above has started (whoever
        // waits for it finds that eviction under way).
        await RecordAsync(ct);
        reconciler.MarkReconciled();
    }

    /// <summary>Writes the index's record; a write that failed is tried again, the eviction going on meanwhile, as it may be what frees the room the write lacked.</summary>
    private async Task RecordAsync(CancellationToken ct)
    {
        while (!await cache.FlushAsync(ct)) await Task.Delay(RetryFlush, ct);
    }

    /// <summary>The reconcile again, after the start-up one, one pass at a time: the units this replica owns now are the ones it counts.</summary>
    private async Task AdoptAsync(CancellationToken ct)
    {
        await reconciler.Done.WaitAsync(ct);
        await _adopting.WaitAsync(ct);
        try
        {
            if (!await reconciler.RunAsync(ct)) return;
            evictor.EvictIfOverHighWatermark();
            await RecordAsync(ct);
            Interlocked.Increment(ref _adoptions);
        }
        finally
        {
            _adopting.Release();
        }
    }

    /// <summary>Adoption passes done after the fleet changed (what a test waits on).</summary>
    public int Adoptions => Volatile.Read(ref _adoptions);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await work.StopAsync(cancellationToken);
        _sizeObserved?.Dispose();
        // The host's stop timeout may be spent by now (work that had to be cancelled): the last
        // flush gets a few seconds of its own, or what this run learnt is lost with the process.
        using var flushing = new CancellationTokenSource(FinalFlushGrace);
        await cache.FlushAsync(flushing.Token);
    }

    private static readonly TimeSpan FinalFlushGrace = TimeSpan.FromSeconds(5);
}
