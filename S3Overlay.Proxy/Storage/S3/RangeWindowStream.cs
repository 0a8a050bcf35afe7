namespace S3Overlay.Storage.S3;

/// <summary>
/// The asked-for bytes out of a server's answer that holds more of the object than asked (a
/// server that ignores the Range, or s3rver's extra byte on suffix ranges): skips the surplus in
/// front, stops after <paramref name="length"/> bytes; owns the inner stream.
/// </summary>
internal sealed class RangeWindowStream(Stream inner, long skip, long length) : Stream
{
    private long _skip = skip;
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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => length - _remaining; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
