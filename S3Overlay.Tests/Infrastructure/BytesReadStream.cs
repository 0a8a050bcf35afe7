namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A read-only, forward-only body over bytes in memory, for tests that shape how a body arrives:
/// a subclass decides how much each read hands out, and when.
/// </summary>
public abstract class BytesReadStream(byte[] data) : Stream
{
    private int _position;

    protected int Offset => _position;

    /// <summary>Copies the bytes from here up to <paramref name="end"/> (as many as fit) and moves past them.</summary>
    protected int CopyUpTo(int end, Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, Math.Min(end, data.Length) - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
