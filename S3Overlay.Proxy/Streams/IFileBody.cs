using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Streams;

/// <summary>
/// A body that is nothing but a range of an open file, so the kernel can send it from the page
/// cache without the bytes passing through the process (<c>sendfile</c>). Only a body that adds
/// nothing to the file's bytes (no check, no count it cannot finish without reading) is one.
/// </summary>
internal interface IFileBody
{
    /// <summary>
    /// The rest of the body as a file range, which the caller then owns (the body is spent and
    /// reads nothing more); null when the body cannot hand it over now (it has been read from).
    /// </summary>
    FileRange? TakeFile();
}

/// <summary>
/// A body whose bytes are a file's as it is written (a fill's spill file): each piece, once
/// written, can go to the kernel as <see cref="IFileBody"/>'s whole range does.
/// </summary>
internal interface IFilePieces
{
    /// <summary>
    /// The body's next bytes as a file range the caller then owns, once they are written; each is
    /// consumed as if read. Null when the rest is to be read
    /// (<see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>), its end included.
    /// Throws what a read would throw at that point.
    /// </summary>
    ValueTask<FileRange?> NextPieceAsync(CancellationToken ct);
}

/// <summary>
/// <paramref name="Length"/> bytes of <paramref name="File"/> from <paramref name="Offset"/>; owns
/// the file unless <paramref name="OwnsFile"/> says not (a slice of a range whose last slice owns it).
/// </summary>
internal sealed record FileRange(SafeFileHandle File, long Offset, long Length, bool OwnsFile = true) : IDisposable
{
    public void Dispose()
    {
        if (OwnsFile) File.Dispose();
    }
}
