namespace S3Overlay.Streams;

/// <summary>
/// Base of a body that wraps another and hands on its bytes as they are (counting them, or
/// standing in for a failed source). What the wrapped body can do beyond being read (be sent as a
/// file, <see cref="IFileBody"/>; piece by piece, <see cref="IFilePieces"/>; be paced by its
/// reader, <see cref="IPacedBody"/>) passes through unless the wrapper overrides it: a wrapper
/// cannot turn sendfile or read pacing off by forgetting one. A stream that changes or checks the
/// bytes (a check, a decryption, a window) has no file to give and is no such wrapper.
/// </summary>
internal abstract class BodyDecorator : PayloadStream, IFileBody, IFilePieces, IPacedBody
{
    /// <summary>The body wrapped now (owned: disposed with this one).</summary>
    protected abstract Stream Inner { get; }

    public virtual FileRange? TakeFile() => (Inner as IFileBody)?.TakeFile();

    public virtual ValueTask<FileRange?> NextPieceAsync(CancellationToken ct) =>
        Inner is IFilePieces pieces ? pieces.NextPieceAsync(ct) : default;

    public virtual bool Paced => Inner is IPacedBody { Paced: true };

    public virtual IReaderProgress? Progress
    {
        set
        {
            if (Inner is IPacedBody paced) paced.Progress = value;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
        base.Dispose(disposing);
    }
}
