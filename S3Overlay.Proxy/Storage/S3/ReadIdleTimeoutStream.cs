using S3Overlay.Storage.Errors;
using S3Overlay.Streams;

namespace S3Overlay.Storage.S3;

/// <summary>
/// A response body that fails with an <see cref="IOException"/> when the server sends nothing for
/// <paramref name="idle"/>: a stalled server must not hold a client (or a fill) forever, and
/// HttpClient's own timeout ends once the headers are in. A body that fails its integrity check
/// (<see cref="RemoteBody"/>: torn or changed under the read) fails with a
/// <see cref="CorruptBodyException"/>, an <see cref="IOException"/> as every failing body from the
/// seam is. Owns the inner stream.
/// </summary>
internal sealed class ReadIdleTimeoutStream(Stream inner, TimeSpan idle, string server) : PayloadStream
{
    private CancellationTokenSource _timer = new();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (!_timer.TryReset())
        {
            _timer.Dispose();
            _timer = new CancellationTokenSource();
        }
        _timer.CancelAfter(idle);
        using var linked = ct.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(ct, _timer.Token) : null;
        try
        {
            return await inner.ReadAsync(buffer, linked?.Token ?? _timer.Token);
        }
        catch (OperationCanceledException e) when (_timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new IOException($"The {server} sent nothing for {idle.TotalSeconds:0} s.", e);
        }
        catch (StorageException e)
        {
            throw new CorruptBodyException($"The body from the {server} failed its integrity check: {e.Message}", e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _timer.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _timer.Dispose();
    }
}
