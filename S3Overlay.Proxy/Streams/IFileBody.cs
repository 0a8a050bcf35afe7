using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Streams;

/// <summary>
/// A body that is nothing but a range of an open file, so the kernel can send it from the page
/// cache without the bytes passing through the process (<c>sendfile</c>). Only a body that adds
/// nothing to the file's bytes (no check, no count it cannot finish without reading) is one.
/// </summary>
public interface IFileBody
{
    /// <summary>
    /// The rest of the body as a file range, which the caller then owns (the body is spent and
    /// reads nothing more); null when the body cannot hand it over now (it has been read from).
    /// </summary>
    FileRange? TakeFile();
}

/// <summary><paramref name="Length"/> bytes of <paramref name="File"/> from <paramref name="Offset"/>; owns the file.</summary>
public sealed record FileRange(SafeFileHandle File, long Offset, long Length) : IDisposable
{
    public void Dispose() => File.Dispose();
}
