using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// Runs the reconcile (<see cref="RemoteReconcile"/>) as the overlay starts, and whenever the
/// event channel comes back (<see cref="Start"/>), in the background (tracked, drained at
/// shutdown); one at a time, a request while one runs runs again after it. What the last run
/// found is kept for the status page.
/// </summary>
internal sealed class StartupReconcile(RemoteReconcile reconcile, RemoteEventSettings settings, BackgroundWork work, TimeProvider clock,
    ILogger<StartupReconcile> logger) : IHostedService
{
    private int _state; // 0 idle, 1 running, 2 running and asked again
    private volatile ReconcileRun? _last;

    /// <summary>The last run that ended: when, why, what it dropped, or why it failed.</summary>
    public ReconcileRun? Last => _last;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start("the overlay started");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Start(string reason)
    {
        if (!settings.Reconcile) return;
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            Interlocked.Exchange(ref _state, 2);
            return;
        }
        if (!work.TryStart("reconcile with the remote", ct => RunAsync(reason, ct))) Volatile.Write(ref _state, 0);
    }

    private async Task RunAsync(string reason, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var dropped = await reconcile.RunAsync(ct);
                _last = new ReconcileRun(clock.GetUtcNow(), reason, dropped, null);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _last = new ReconcileRun(clock.GetUtcNow(), reason, 0, e.Message);
                logger.LogWarning(e, "Could not reconcile the cache with the remote ({Reason}); revalidation (S3_OVERLAY_REVALIDATE_AFTER), if set, remains the backstop", reason);
            }
            if (Interlocked.CompareExchange(ref _state, 0, 1) == 1 || ct.IsCancellationRequested) return;
            Volatile.Write(ref _state, 1);
            reason = "asked again while it ran";
        }
    }
}

/// <summary>One reconcile's end: when, why it ran, how many cached copies it dropped, or why it failed.</summary>
internal sealed record ReconcileRun(DateTimeOffset At, string Reason, long Dropped, string? Error);
