using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// The cap on fills from the remote running at once (<c>S3_OVERLAY_MAX_FILLS</c>), whole objects
/// and chunks together. Past it a new fill is refused with 503 SlowDown rather than queued:
/// clients that hang up leave no backlog behind, and well-behaved ones retry (every S3 SDK does).
/// Readers joining a fill in flight take no slot.
/// </summary>
internal sealed class FillSlots(int max)
{
    public FillSlots(OverlaySettings settings) : this(settings.MaxFills) { }

    private int _taken;

    public int Max => max;

    /// <summary>Whether every slot is taken now (a new fill would be refused).</summary>
    public bool Full => Volatile.Read(ref _taken) >= max;

    /// <summary>Takes a slot or throws SlowDown; give it back with <see cref="Release"/>.</summary>
    public void Take()
    {
        if (Interlocked.Increment(ref _taken) <= max) return;
        Interlocked.Decrement(ref _taken);
        throw new StorageException(StorageFault.Busy, message: "Too many objects are being fetched from the remote store; retry shortly.");
    }

    public void Release() => Interlocked.Decrement(ref _taken);
}
