using System.Diagnostics;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// The remote GET a whole fill of a key would make, started beside the local read of a key the
/// local store is known not to hold (<see cref="Keys.LocalKeys"/>): a cold read then waits for
/// the slower of the two answers, not for one after the other. The local answer still decides:
/// a hit, a whiteout or a chunk marker there lets this one go unread.
/// </summary>
/// <remarks>
/// Either the fill of the key takes the answer (<see cref="TryTake"/>) or the read lets it go
/// (<see cref="Abandon"/>), whichever comes first; the other then does nothing. Counted either
/// way (<see cref="OverlayMetrics.EarlyRemoteReads"/>): a let-go answer is a remote request spent for nothing.
/// </remarks>
internal sealed class EarlyRemoteRead
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task<ObjectContent> _answer;
    private readonly OverlayMetrics _metrics;
    private int _settled;

    public EarlyRemoteRead(string bucket, string key, Func<CancellationToken, Task<ObjectContent>> open, OverlayMetrics metrics)
    {
        _metrics = metrics;
        // The remote's request is this span's child, not the read's: a trace shows it beside the local read, until its answer came.
        var caller = Activity.Current;
        var span = OverlaySpans.Start(OverlayTelemetry.Spans.EarlyRemoteRead, bucket, key);
        try
        {
            _answer = open(_cancel.Token);
        }
        finally
        {
            Activity.Current = caller;
        }
        if (span is not null)
            _answer.ContinueWith(_ => span.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The fill of the key takes the answer, and owns it from now on (cancelling <paramref name="ct"/> cancels the GET); null once it was let go.</summary>
    public Task<ObjectContent>? TryTake(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return null;
        _metrics.CountEarlyRemoteRead(used: true);
        var cancelling = ct.Register(_cancel.Cancel);
        _answer.ContinueWith(_ =>
        {
            cancelling.Dispose();
            _cancel.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _answer;
    }

    /// <summary>The local store answered for the key, or the read went another way: the remote's answer is let go unread (nothing once a fill took it).</summary>
    public void Abandon()
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _metrics.CountEarlyRemoteRead(used: false);
        _cancel.Cancel();
        _answer.ContinueWith(async answer =>
        {
            if (answer.IsCompletedSuccessfully) await answer.Result.DisposeAsync();
            else _ = answer.Exception; // a miss or the cancellation: nobody waits for it
            _cancel.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
