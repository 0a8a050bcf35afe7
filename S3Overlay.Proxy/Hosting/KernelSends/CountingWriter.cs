using System.IO.Pipelines;

namespace S3Overlay.Hosting.KernelSends;

/// <summary>
/// A connection's output writer that counts what is written through it (where in the connection's
/// byte stream a file goes), and takes a file's stand-in bytes without passing them on: Kestrel
/// counts them against Content-Length as they are advanced here, and the file goes in their place.
/// A flush after them waits until the file is sent, so Kestrel's minimum data rate times the
/// file's send as it would have timed the bytes.
/// </summary>
internal sealed class CountingWriter(PipeWriter inner) : PipeWriter
{
    /// <summary>Where stand-ins are "written": never read, so one array serves every connection.</summary>
    private static readonly byte[] Nowhere = new byte[256 * 1024];

    private long _written;
    private long _standIns;
    private Task _fileSent = Task.CompletedTask;

    /// <summary>Bytes passed on so far: the place of a file given to <see cref="ExpectStandIns"/> now.</summary>
    public long Written => _written;

    /// <summary>The next <paramref name="count"/> bytes written are stand-ins for a file; a flush waits for <paramref name="sent"/>.</summary>
    public void ExpectStandIns(long count, Task sent)
    {
        if (_standIns > 0) throw new InvalidOperationException("A file's stand-ins are still being written.");
        (_standIns, _fileSent) = (count, sent);
    }

    public override void Advance(int bytes)
    {
        if (_standIns > 0)
        {
            if (bytes > _standIns) throw new InvalidOperationException("More bytes were written than the file stands in for.");
            _standIns -= bytes;
            return;
        }
        inner.Advance(bytes);
        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) =>
        _standIns > 0 ? (sizeHint <= Nowhere.Length ? Nowhere : new byte[sizeHint]) : inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken ct = default) =>
        _fileSent.IsCompleted ? inner.FlushAsync(ct) : FlushThenWaitAsync(ct);

    /// <summary>What was written before the file (the headers) goes first; the flush ends once the file is sent, as the connection is then.</summary>
    private async ValueTask<FlushResult> FlushThenWaitAsync(CancellationToken ct)
    {
        var flushed = await inner.FlushAsync(ct);
        if (flushed.IsCompleted || flushed.IsCanceled) return flushed;
        await _fileSent.WaitAsync(ct);
        return await inner.FlushAsync(ct);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken ct = default)
    {
        if (_standIns > 0) return base.WriteAsync(source, ct); // through Advance, as stand-ins
        _written += source.Length;
        return inner.WriteAsync(source, ct);
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
    public override long UnflushedBytes => inner.UnflushedBytes;
    public override void CancelPendingFlush() => inner.CancelPendingFlush();
    public override void Complete(Exception? exception = null) => inner.Complete(exception);
    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
