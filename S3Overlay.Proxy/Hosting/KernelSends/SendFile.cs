using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using S3Overlay.Streams;

namespace S3Overlay.Hosting.KernelSends;

/// <summary>Linux's <c>sendfile(2)</c> onto a non-blocking socket, waiting as an asynchronous send waits when the socket is full.</summary>
internal static class SendFile
{
    private const int Interrupted = 4; // EINTR
    private const int TryAgain = 11; // EAGAIN
    private const int InvalidArgument = 22; // EINVAL: a file system that cannot (FUSE, some network ones)
    private const int NotImplemented = 38; // ENOSYS
    private const int NotSupported = 95; // EOPNOTSUPP
    private const int BrokenPipe = 32; // EPIPE: the client has gone
    private const int ResetByPeer = 104; // ECONNRESET
    private const long MostPerCall = 0x7ffff000; // what one sendfile moves at most on Linux
    private const int PieceSize = 64 * 1024;

    [DllImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    private static extern nint SendFileCall(nint socket, nint file, ref long offset, nuint count);

    /// <summary>
    /// Sends all of <paramref name="range"/> on <paramref name="socket"/>. When the socket's buffer
    /// is full (a slow reader) the next piece goes by an ordinary asynchronous send, which waits
    /// without holding a thread, and the kernel takes over again after it. Where the file's system
    /// cannot do sendfile at all, the whole range goes that way.
    /// </summary>
    /// <exception cref="IOException">The file ended before the range did (changed in place since it was opened).</exception>
    public static async Task SendAsync(Socket socket, FileRange range, KernelSendCounts counts)
    {
        try
        {
            await SendRangeAsync(socket, range, counts);
        }
        catch (ObjectDisposedException e) when (range.File.IsClosed)
        {
            // The connection's loop ends silently on a disposed object, as on its socket's when
            // the connection is aborted; a file closed before its send is our bug, so it is told.
            throw new InvalidOperationException("A file was closed before the kernel had sent it.", e);
        }
    }

    private static async Task SendRangeAsync(Socket socket, FileRange range, KernelSendCounts counts)
    {
        var (offset, end, kernel) = (range.Offset, range.Offset + range.Length, true);
        while (offset < end)
        {
            var error = 0;
            if (kernel)
            {
                (var sent, error) = TrySend(socket, range, ref offset, end - offset);
                if (sent > 0)
                {
                    counts.Kernel(sent);
                    continue;
                }
                if (error == Interrupted) continue;
                if (error == 0) throw ShortFile(end - offset);
                kernel = error == TryAgain;
                if (!kernel && error is not (InvalidArgument or NotImplemented or NotSupported)) throw Failed(error);
            }
            offset += await SendPieceAsync(socket, range, offset, end - offset, counts);
        }
    }

    private static (long Sent, int Error) TrySend(Socket socket, FileRange range, ref long offset, long left)
    {
        var (socketHeld, fileHeld) = (false, false);
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketHeld);
            range.File.DangerousAddRef(ref fileHeld);
            var n = SendFileCall(socket.SafeHandle.DangerousGetHandle(), range.File.DangerousGetHandle(), ref offset, (nuint)Math.Min(left, MostPerCall));
            return n >= 0 ? (n, 0) : (0, Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (fileHeld) range.File.DangerousRelease();
            if (socketHeld) socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>One piece of the file read and sent the ordinary way: how a full socket is waited for.</summary>
    private static async Task<int> SendPieceAsync(Socket socket, FileRange range, long offset, long left, KernelSendCounts counts)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            var read = RandomAccess.Read(range.File, buffer.AsSpan(0, (int)Math.Min(PieceSize, left)), offset);
            if (read == 0) throw ShortFile(left);
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            counts.Copied(read);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>As .NET's own sends report it (a SocketException takes a SocketError, not an errno): a client that went away is told apart.</summary>
    private static Exception Failed(int errno) => errno switch
    {
        BrokenPipe => new SocketException((int)SocketError.Shutdown),
        ResetByPeer => new SocketException((int)SocketError.ConnectionReset),
        _ => new IOException($"sendfile failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
    };

    private static IOException ShortFile(long left) => new($"The file ended {left} bytes short of the response's length.");
}
