using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// How the store creates and commits its files: owner-only (bodies of private buckets being
/// written are nobody else's to read), and durable (a rename is only on disk once its folder is
/// flushed, so a power cut right after a commit could otherwise lose the object or its sidecar).
/// </summary>
internal static class StoreFiles
{
    /// <summary>A new file (never an existing one) that only this user may read or write.</summary>
    public static FileStream CreateOwnerOnly(string path, int bufferSize)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    /// <summary>
    /// Flushes a folder's entries (the renames into it) to disk. Windows has no such call (NTFS
    /// journals the rename itself), so there it does nothing.
    /// </summary>
    public static void FlushFolder(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return; // gone already (pruned, or the bucket deleted): nothing of ours to flush
        try { fsync(fd); }
        finally { close(fd); }
    }

    /// <summary>Reads from <paramref name="offset"/> until the buffer is full or the file ends.</summary>
    /// <returns>The bytes read: fewer than the buffer holds only at the file's end.</returns>
    public static int ReadAt(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length && RandomAccess.Read(file, buffer[total..], offset + total) is > 0 and var read)
            total += read;
        return total;
    }

    /// <summary>
    /// The file at <paramref name="path"/> open for reading (others may still write, rename or
    /// delete it), with the version of the file opened; null when there is none: missing, a
    /// folder, or below a file.
    /// </summary>
    /// <remarks>
    /// A miss is the usual answer of a cold lookup (every whiteout check, a fill's look at the
    /// local store first), and .NET's own open reports it as an exception: measured on a cold
    /// 4 KiB fill, the throws cost 4-5 % of its CPU, more than the opens themselves. On Linux the
    /// open is made here, so a miss costs one open(2) and no exception; any other failure (no
    /// permission, no descriptors left) is left to .NET's open to report as it always did. Unlike
    /// .NET's open, it takes no advisory lock (the store renames whole files into place and never
    /// locks one against readers) and gives no read-ahead hint (the kernel's read-ahead follows a
    /// sequential read by itself), and one statx both tells a folder and reads the version (.NET's
    /// open and its attributes each make a stat of their own): a local hit is an open and a statx.
    /// </remarks>
    public static (SafeFileHandle File, FileVersion Version)? TryOpen(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var fd = open(path, ReadOnlyCloseOnExec);
            if (fd >= 0) return Described(new SafeFileHandle(fd, ownsHandle: true));
            if (Marshal.GetLastPInvokeError() is NoSuchEntry or NotADirectory) return null;
        }
        try
        {
            return Described(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !File.Exists(path))
        {
            return null; // a folder, or below a file
        }
    }

    /// <summary>The open file and its version; null (the handle closed) when it is a folder.</summary>
    public static (SafeFileHandle, FileVersion)? Described(SafeFileHandle file)
    {
        try
        {
            if (FileVersion.OfFile(file) is { } version) return (file, version);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        file.Dispose(); // a folder
        return null;
    }

    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (Linux)
    private const int NoSuchEntry = 2; // ENOENT
    private const int NotADirectory = 20; // ENOTDIR: a path "below" a file

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
