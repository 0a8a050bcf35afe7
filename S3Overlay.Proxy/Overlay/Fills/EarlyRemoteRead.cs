using System.Diagnostics;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// The remote GET a whole fill of a key would make, sent beside the local read of a key the
/// local store is known not to hold (<see cref="Keys.LocalKeys"/>): a cold read then waits for
/// the slower of the two answers, not for one after the other. It is the key's entry in the
/// <see cref="SingleFlight{TKey}"/> from the moment it is sent, so the fill of the key adopts it
/// (whichever reader starts that fill) and no other reader sends a GET of its own. The local
/// answer still decides: a hit, a whiteout or a chunk marker there lets it go unread.
/// </summary>
/// <remarks>
/// Its owner is whoever took it out of the single-flight table: a fill (<see cref="Adopt"/>), the
/// read that sent it streaming it for itself (also <see cref="Adopt"/>), or that read letting it
/// go (<see cref="LetGo"/>); exactly one of them, once. Counted either way
/// (<see cref="OverlayMetrics.EarlyRemoteReads"/>): a let-go answer is a remote request spent for nothing.
/// </remarks>
internal sealed class EarlyRemoteRead(string bucket, string key, OverlayMetrics metrics)
{
    private readonly CancellationTokenSource _cancel = new();
    // Its own completion source: a fill may adopt the request between its claim of the key and its sending.
    private readonly TaskCompletionSource<ObjectContent> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends the request (once the key is claimed for it).</summary>
    public void Send(Func<CancellationToken, Task<ObjectContent>> open)
    {
        // The remote's request is this span's child, not the read's: a trace shows it beside the local read, until its answer came.
        var caller = Activity.Current;
        var span = OverlaySpans.Start(OverlayTelemetry.Spans.EarlyRemoteRead, bucket, key);
        Task<ObjectContent> sent;
        try
        {
            sent = open(_cancel.Token);
        }
        catch (Exception e)
        {
            sent = Task.FromException<ObjectContent>(e);
        }
        finally
        {
            Activity.Current = caller;
        }
        sent.ContinueWith(answer =>
        {
            span?.Dispose();
            if (answer.IsCompletedSuccessfully) _answer.TrySetResult(answer.Result);
            else if (answer.IsCanceled) _answer.TrySetCanceled();
            else _answer.TrySetException(answer.Exception!.InnerExceptions);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The answer, for its new owner (cancelling <paramref name="ct"/> cancels the GET).</summary>
    public Task<ObjectContent> Adopt(CancellationToken ct)
    {
        metrics.CountEarlyRemoteRead(used: true);
        var cancelling = ct.Register(_cancel.Cancel);
        _answer.Task.ContinueWith(_ =>
        {
            cancelling.Dispose();
            _cancel.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _answer.Task;
    }

    /// <summary>The local store answered for the key: the request is cancelled and whatever answer still comes is let go unread.</summary>
    public void LetGo()
    {
        metrics.CountEarlyRemoteRead(used: false);
        _cancel.Cancel();
        _answer.Task.ContinueWith(async answer =>
        {
            if (answer.IsCompletedSuccessfully) await answer.Result.DisposeAsync();
            else _ = answer.Exception; // a miss or the cancellation: nobody waits for it
            _cancel.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
