using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay;

/// <summary>
/// Every piece of work the overlay runs past the request that caused it (fills and their local
/// writes, read-ahead, eviction) runs here, so none is fire-and-forget: shutdown refuses new work,
/// waits for what runs (cancelling it when the host's stop timeout is up), and only then is the
/// cache index flushed; tests await <see cref="WhenIdle"/> instead of polling or sleeping.
/// </summary>
internal sealed class BackgroundWork(ILogger<BackgroundWork> logger)
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _idle = Completed();
    private int _running;
    private bool _stopped;

    /// <summary>Work running now.</summary>
    public int Running { get { lock (_lock) return _running; } }

    /// <summary>Completes the next time no work runs (at once when none does).</summary>
    public Task WhenIdle() { lock (_lock) return _idle.Task; }

    /// <summary>Starts <paramref name="work"/> on the thread pool; false once shutdown has begun (nothing is started).</summary>
    /// <param name="work">Given a token that is cancelled when shutdown stops waiting.</param>
    public bool TryStart(string what, Func<CancellationToken, Task> work)
    {
        lock (_lock)
        {
            if (_stopped) return false;
            if (_running++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = Task.Run(() => RunAsync(what, work));
        return true;
    }

    private async Task RunAsync(string what, Func<CancellationToken, Task> work)
    {
        try
        {
            await work(_stopping.Token);
        }
        catch (Exception e)
        {
            // The work's owner reports its own failures; this only keeps one from going unobserved.
            logger.LogWarning(e, "Background {Work} failed", what);
        }
        finally
        {
            TaskCompletionSource? idle = null;
            lock (_lock)
                if (--_running == 0) idle = _idle;
            idle?.TrySetResult();
        }
    }

    /// <summary>Refuses new work, waits for the running work until <paramref name="ct"/> fires, then cancels it and waits for it to end.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        lock (_lock) _stopped = true;
        try
        {
            await WhenIdle().WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogWarning("Cancelling {Count} background tasks still running at shutdown", Running);
            await _stopping.CancelAsync();
            // Work that ignores its token must not hold the process forever.
            await Task.WhenAny(WhenIdle(), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}
