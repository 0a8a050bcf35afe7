namespace S3Overlay.Tests.Overlay;

/// <summary>A remote answer's body of <paramref name="length"/> zero bytes that tells whether it was let go.</summary>
internal sealed class DisposalTrackedStream(int length) : MemoryStream(new byte[length])
{
    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
