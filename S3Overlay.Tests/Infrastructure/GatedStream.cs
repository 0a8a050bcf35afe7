namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A request body that sends <paramref name="heldAfter"/> bytes of <paramref name="data"/>, then holds the
/// rest until released: orders two uploads deterministically (the SDK buffers bodies, so raw HTTP sends this).
/// </summary>
public sealed class GatedStream(byte[] data, int heldAfter) : BytesReadStream(data)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every byte before the gate has been read (sent).</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (Offset == heldAfter)
        {
            _reached.TrySetResult();
            await _released.Task.WaitAsync(ct);
        }
        return CopyUpTo(Offset < heldAfter ? heldAfter : int.MaxValue, buffer.Span);
    }
}
