namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A request body that sends <paramref name="heldAfter"/> bytes of <paramref name="data"/>, then holds the
/// rest until released: orders two uploads deterministically (the SDK buffers bodies, so raw HTTP sends this).
/// </summary>
public sealed class GatedStream(byte[] data, int heldAfter) : Stream
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    /// <summary>Completes when every byte before the gate has been read (sent).</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position == heldAfter)
        {
            _reached.TrySetResult();
            await _released.Task.WaitAsync(ct);
        }
        var end = _position < heldAfter ? heldAfter : data.Length;
        var n = Math.Min(buffer.Length, end - _position);
        data.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
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
