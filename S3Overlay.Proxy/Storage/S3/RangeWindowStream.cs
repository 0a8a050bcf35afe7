using S3Overlay.Streams;
namespace S3Overlay.Storage.S3;

/// <summary>
/// The asked-for bytes out of a server's answer that holds more of the object than asked (a
/// server that ignores the Range, or s3rver's extra byte on suffix ranges): skips the surplus in
/// front, stops after <paramref name="length"/> bytes; owns the inner stream.
/// </summary>
internal sealed class RangeWindowStream(Stream inner, long skip, long length) : PayloadStream
{
    private long _skip = skip;
    private readonly long _length = length;
    private long _remaining = length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_skip > 0)
        {
            var skipped = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _skip)], ct);
            if (skipped == 0) return 0;
            _skip -= skipped;
        }
        if (_remaining <= 0 || buffer.Length == 0) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], ct);
        _remaining -= n;
        return n;
    }

    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
