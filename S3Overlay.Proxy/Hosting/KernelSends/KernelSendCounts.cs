namespace S3Overlay.Hosting.KernelSends;

/// <summary>What a server's connections sent of files: by the kernel, and copied where the kernel could not (a full socket, a file system without sendfile).</summary>
internal sealed class KernelSendCounts
{
    private long _kernel;
    private long _copied;

    public long BytesByKernel => Interlocked.Read(ref _kernel);
    public long BytesCopied => Interlocked.Read(ref _copied);

    internal void Kernel(long bytes) => Interlocked.Add(ref _kernel, bytes);
    internal void Copied(long bytes) => Interlocked.Add(ref _copied, bytes);
}
