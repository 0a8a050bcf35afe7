namespace S3Overlay.AppHost.Seeding;

/// <summary>
/// A read-only, seekable stream of deterministic bytes: large demo objects are produced on the fly
/// (never held in memory), and anyone can recompute what any byte should be to check a download.
/// </summary>
public sealed class PatternStream(long length, int seed = 0) : Stream
{
    private long _position;

    /// <summary>The byte at <paramref name="position"/>. The 64 KiB block index is mixed in so that
    /// two blocks (or chunks) served in the wrong order never compare equal.</summary>
    public static byte ByteAt(long position, int seed = 0) =>
        unchecked((byte)(position % 251 ^ (position >> 16) * 7 ^ seed));

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, Math.Max(0, length - _position));
        for (var i = 0; i < n; i++) buffer[i] = ByteAt(_position + i, seed);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
