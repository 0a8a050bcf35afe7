using S3Overlay.Streams;

namespace S3Overlay.Streams;

/// <summary>
/// A plain TCP connection's way to send a file's bytes with <c>sendfile</c> (Hosting/KernelSends, whose connection sets it):
/// the bytes the response writes next stand in for the file's, and the kernel sends the file in
/// their place. On the connection's features, where an HTTP/1.x response on it can find it.
/// </summary>
internal interface IKernelSendFeature
{
    /// <summary>
    /// Whether the connection still writes its own bytes to its socket: no layer between (TLS)
    /// took its transport over. Only then may a response <see cref="Send"/>.
    /// </summary>
    bool Available { get; }

    /// <summary>
    /// Takes <paramref name="file"/> (and its disposal): the next <see cref="FileRange.Length"/>
    /// bytes written after everything written so far are never sent; the file's are, in their place.
    /// </summary>
    void Send(FileRange file);
}
