using S3Overlay.Storage;
using S3Overlay.Streams;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// A reader of a fill's body that goes on without the fill when the fill's file cannot be
/// written (its disk is full): it asks the remote for the rest of its range itself. The client
/// still gets the whole object, only not from the one remote read, and nothing is cached.
/// </summary>
/// <param name="fill">The reader of the fill's file, of <paramref name="length"/> bytes from <paramref name="offset"/>; owned.</param>
/// <param name="openRest">Opens the remote read of <c>count</c> bytes from <c>from</c>, of the generation the fill read.</param>
/// <param name="fallsBackOn">Which failures of <paramref name="fill"/> the remote stands in for; a full disk when null. (A fleet's
/// forwarded miss falls back on any failure of the owner's answer: the owner went away mid-body.)</param>
internal sealed class RemoteFallback(Stream fill, long offset, long length, Func<long, long, CancellationToken, Task<Stream>> openRest,
    Func<Exception, bool>? fallsBackOn = null) : BodyDecorator
{
    private Stream _current = fill;
    private long _read;
    private bool _fellBack;

    protected override Stream Inner => _current;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        try
        {
            var n = await _current.ReadAsync(buffer, ct);
            _read += n;
            return n;
        }
        catch (Exception e) when (FallsBack(e, ct))
        {
            await FallBackAsync(ct);
            return await ReadAsync(buffer, ct);
        }
    }

    /// <summary>The fill's pieces while it has them; none once the rest comes from the remote (it is read).</summary>
    public override async ValueTask<FileRange?> NextPieceAsync(CancellationToken ct)
    {
        if (_fellBack) return null;
        try
        {
            var piece = await base.NextPieceAsync(ct);
            _read += piece?.Length ?? 0;
            return piece;
        }
        catch (Exception e) when (FallsBack(e, ct))
        {
            await FallBackAsync(ct);
            return null;
        }
    }

    private bool FallsBack(Exception e, CancellationToken ct) =>
        !_fellBack && (fallsBackOn?.Invoke(e) ?? (e is IOException && DiskFull.Caused(e))) && !ct.IsCancellationRequested;

    private async Task FallBackAsync(CancellationToken ct)
    {
        _fellBack = true;
        // The fill's share goes now: its file is removed once nobody else reads it.
        await _current.DisposeAsync();
        _current = Null;
        _current = await openRest(offset + _read, length - _read, ct);
    }

    public override long Length => length;
}
