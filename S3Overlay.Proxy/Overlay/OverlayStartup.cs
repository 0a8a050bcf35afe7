using Microsoft.Extensions.Hosting;

namespace S3Overlay.Overlay;

/// <summary>
/// The work the overlay begins with, started with the host rather than by whichever part the
/// container happens to build first: building a part starts nothing, so a part can be made (by a
/// test, a health check, the admin API) without setting the store to work.
/// </summary>
internal sealed class OverlayStartup(Whiteouts.WhiteoutIndex whiteouts, Keys.LocalKeys localKeys, BackgroundWork work,
    Fills.WholeObjectFills wholeFills, Chunks.ChunkedReads chunks, Telemetry.OverlayMetrics metrics) : IHostedService, IDisposable
{
    private IDisposable? _fillsObserved;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Fills in flight, whole objects and chunks, as the metrics report them.
        _fillsObserved = metrics.ObserveFillsInFlight(() => wholeFills.InFlight + chunks.InFlight);
        // Whiteouts an older layout kept in the cache bucket are moved to their keys (LegacyWhiteouts).
        work.TryStart("whiteout move", whiteouts.Legacy.RunAsync);
        // Cold reads start the remote's GET early only for keys the index knows are not local
        // (not in a fleet, whose replicas fill into the shared store what they own: LocalKeys is kept off there).
        localKeys.StartLoading();
        return Task.CompletedTask;
    }

    /// <summary>What was started is stopped with the rest of the background work (<see cref="BackgroundWork.StopAsync"/>).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _fillsObserved?.Dispose();
}
