using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// One remote read in flight (a whole object, or one chunk). Its body spills to a
/// <see cref="SpillBuffer"/> that every reader follows as bytes arrive: the client that started
/// it, coalesced waiters, and, with caching on, the local write. The remote read belongs to the
/// fill, not to any client, so a client that goes away does not stop a fill others depend on;
/// a fill that stores nothing stops once the last reader that opened its body has gone.
/// </summary>
internal sealed class RemoteFill
{
    private readonly SpillBuffer _spill;
    private readonly TaskCompletionSource<ObjectInfo> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abandoned = new();

    private readonly OverlayMetrics _metrics;

    // The remote's answer this fill declined, still open for a reader to take (see TakeDeclined).
    private DeclinedAnswer? _declined;

    // Runs once the fill is over, just before Finished completes.
    private readonly Action<RemoteFill>? _over;

    // Whether the fill stores its body: one that does reads on when its readers go.
    private bool _stores;

    /// <param name="over">Runs once the fill is over, just before <see cref="Finished"/> completes (its single-flight table lets it go).</param>
    public RemoteFill(string spillPath, OverlayMetrics metrics, Action<RemoteFill>? over = null)
    {
        _spill = new SpillBuffer(spillPath,
            // Nobody took the declined answer (its readers went away, or wanted none of it): the
            // connection goes as the last share does, not when the remote's idle timeout ends it,
            // and nobody need wait for chunk 0 to be started with it.
            released: () => TakeDeclined()?.Dispose(),
            // Its readers gone, a fill that stores nothing has nobody left to read for.
            abandoned: () =>
            {
                if (!_stores) _abandoned.Cancel();
            });
        _metrics = metrics;
        _over = over;
    }

    private readonly TaskCompletionSource _declinedSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the reader that took the declined answer has started chunk 0 with it (or
    /// given it up): as it disposes the <see cref="DeclinedAnswer"/>. The other readers of a
    /// declined fill wait for it, or one of them asks the remote for chunk 0 itself while the
    /// answer that holds it is let go.
    /// </summary>
    public Task DeclinedSettled => _declinedSettled.Task;

    /// <summary>
    /// Who started the fill (a chunked read, for the fills it and its read-ahead start): a reader
    /// reading a fill its own read started has not joined another's. Set before the fill is
    /// published, so no reader can find the fill before it can tell.
    /// </summary>
    public object? StartedBy { get; init; }

    /// <summary>The remote's description, once its answer has begun (or the mapped remote error).</summary>
    public Task<ObjectInfo> Opened => _opened.Task;

    /// <summary>True when the remote answered but the fill declined to read the body (the object is chunked).</summary>
    public bool Declined { get; private set; }

    /// <summary>Completes when the remote read and the local write (if any) are over, whatever their outcome.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Whether the remote read failed: a read that comes after that asks the remote again rather than join it.</summary>
    public bool HasFailed => _spill.Failed && !Declined; // Declined is set before the spill fails: read it after

    /// <summary>Takes a reader's share; false when the fill is over and its bytes are gone, or it has failed.</summary>
    public bool TryJoin() => !HasFailed && _spill.TryAcquire();

    /// <summary>
    /// The open answer the fill declined (the whole GET of an object found to be chunked), for the
    /// first reader that asks, who owns it from then on: its first bytes are chunk 0 of that
    /// generation, so the chunked read fills chunk 0 from it instead of asking the remote again.
    /// Null once taken, or when the fill did not decline. Take it before leaving: the last share
    /// to leave disposes it.
    /// </summary>
    public DeclinedAnswer? TakeDeclined() => Interlocked.Exchange(ref _declined, null);

    /// <summary>A joined reader that will not read gives its share back.</summary>
    public void Leave() => _spill.Release();

    /// <summary>A joined reader's view of <paramref name="length"/> bytes from <paramref name="offset"/> of the fill's body.</summary>
    public Stream OpenReader(long offset, long length) => _spill.OpenReader(offset, length);

    /// <param name="openRemote">Opens the remote read; what it throws is given to <paramref name="mapError"/>.</param>
    /// <param name="accept">Whether to read the body the remote announced (false: it is not what this fill wants, say too large to fill whole).</param>
    /// <param name="store">Writes the body locally from the fill's body; null when caching is off, and then the fill stops once every reader has left.</param>
    /// <returns>False when shutdown has begun: the fill fails with 503 and nothing runs.</returns>
    public bool Start(
        BackgroundWork work,
        Func<CancellationToken, Task<ObjectContent>> openRemote,
        Func<ObjectContent, bool> accept,
        Func<ObjectInfo, FillBody, Task>? store,
        Func<Exception, Exception> mapError,
        ILogger logger,
        Activity? span)
    {
        _stores = store is not null;
        if (work.TryStart("fill", stopping => RunAsync(openRemote, accept, store, mapError, logger, span, stopping))) return true;
        var refused = new StorageException(StorageFault.Unavailable, message: "The proxy is shutting down.");
        _spill.Fail(refused);
        _opened.TrySetException(refused);
        span?.Dispose();
        _spill.Release();
        End();
        return false;
    }

    private async Task RunAsync(
        Func<CancellationToken, Task<ObjectContent>> openRemote,
        Func<ObjectContent, bool> accept,
        Func<ObjectInfo, FillBody, Task>? store,
        Func<Exception, Exception> mapError,
        ILogger logger,
        Activity? span,
        CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        // Only a fill the remote answered with a body is timed: a miss (404) or a refusal fetched
        // nothing, and would make the fill latency a mix of fills and quick "no"s.
        var fetching = false;
        Task? storing = null;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, _abandoned.Token);
        try
        {
            ObjectContent content;
            try
            {
                var opening = openRemote(cancel.Token);
                CreateSpill(opening, cancel);
                content = await opening;
            }
            catch (Exception e)
            {
                var mapped = mapError(e);
                _spill.Fail(mapped);
                _opened.TrySetException(mapped);
                span?.SetStatus(ActivityStatusCode.Error, mapped.Message);
                return;
            }

            if (!accept(content))
            {
                _declined = new DeclinedAnswer(content, settle: () => _declinedSettled.TrySetResult());
                Declined = true;
                _spill.Fail(new InvalidOperationException("The fill was declined."));
                _opened.TrySetResult(content.Info);
                return;
            }
            await using (content)
            {
                fetching = true;
                _spill.Expect(content.Length);
                span?.SetTag(OverlayTelemetry.Tags.VerifiedBy, content.VerifiedBy ?? "length");
                if (store is not null && _spill.TryAcquire())
                    storing = StoreAsync(store, content.Info, content.Length, content.VerifiedBy is not null, logger);
                _opened.TrySetResult(content.Info);
                await PumpAsync(content, span, cancel.Token);
            }
        }
        finally
        {
            if (storing is not null) await storing;
            if (fetching) _metrics.FillDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            span?.Dispose();
            _spill.Release();
            End();
        }
    }

    /// <summary>
    /// Makes the spill file while the remote answers (see <see cref="SpillBuffer.Create"/>). If
    /// it cannot be made, the request is cancelled and whatever answer still comes is let go.
    /// </summary>
    private void CreateSpill(Task<ObjectContent> opening, CancellationTokenSource cancel)
    {
        try
        {
            _spill.Create();
        }
        catch
        {
            cancel.Cancel();
            opening.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) t.Result.Body.Dispose();
                else _ = t.Exception; // observed: the spill's failure is the one reported
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private void End()
    {
        _over?.Invoke(this);
        _finished.TrySetResult();
    }

    private async Task PumpAsync(ObjectContent content, Activity? span, CancellationToken ct)
    {
        // 128 KiB: large enough that a loopback copy is not syscall-bound, small enough to pool.
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        long total = 0;
        try
        {
            int read;
            while ((read = await content.Body.ReadAsync(buffer, ct)) > 0)
            {
                _spill.Append(buffer.AsSpan(0, read));
                _metrics.RemoteBytesFetched.Add(read);
                total += read;
            }
            _spill.Complete();
        }
        catch (Exception e)
        {
            _spill.Fail(e);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            span?.SetTag(OverlayTelemetry.Tags.Bytes, total);
        }
    }

    // The local write follows the spill like any reader: a slow or failing local store never
    // holds back the remote read or the client, and a failed remote read fails the local write,
    // which then stores nothing.
    private async Task StoreAsync(Func<ObjectInfo, FillBody, Task> store, ObjectInfo info, long length, bool verified, ILogger logger)
    {
        await Task.Yield();
        await using var body = _spill.OpenReader(0, length);
        try
        {
            await store(info, new FillBody(_spill, body, verified));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Dropped the local copy of {Key}: {Reason}", info.Key, e.Message);
        }
    }
}
