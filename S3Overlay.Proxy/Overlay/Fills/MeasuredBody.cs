using S3Overlay.Streams;
using System.Diagnostics;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// A body on its way to a client: counts the bytes served by source and closes the decision's
/// span (with <c>overlay.bytes</c>) when the front end disposes it. A file's range handed to
/// the kernel to send (<see cref="IFileBody"/>) counts as served whole, a piece of one
/// (<see cref="IFilePieces"/>) as served when handed over.
/// </summary>
/// <param name="source"><see cref="OverlayTelemetry.Sources"/>: where the bytes come from.</param>
/// <param name="direct">The bytes are read from the remote for this client alone (no fill in between), so they count as fetched too.</param>
internal sealed class MeasuredBody(Stream inner, string source, Activity? span, OverlayMetrics metrics, bool direct = false) : BodyDecorator
{
    protected override Stream Inner => inner;

    private long _bytes;
    private bool _disposed;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        try
        {
            var read = await inner.ReadAsync(buffer, ct);
            _bytes += read;
            return read;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    public override FileRange? TakeFile()
    {
        var file = base.TakeFile();
        _bytes += file?.Length ?? 0;
        return file;
    }

    public override async ValueTask<FileRange?> NextPieceAsync(CancellationToken ct)
    {
        try
        {
            var piece = await base.NextPieceAsync(ct);
            _bytes += piece?.Length ?? 0;
            return piece;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Finish();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Finish();
        base.Dispose(disposing);
    }

    private void Finish()
    {
        if (_disposed) return;
        _disposed = true;
        metrics.CountBytesServed(_bytes, source);
        if (direct) metrics.RemoteBytesFetched.Add(_bytes);
        span?.SetTag(OverlayTelemetry.Tags.Bytes, _bytes);
        span?.Dispose();
    }

    public override long Length => inner.Length;
}
