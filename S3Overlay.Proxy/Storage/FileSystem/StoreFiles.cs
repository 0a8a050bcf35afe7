using System.Runtime.InteropServices;

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

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
