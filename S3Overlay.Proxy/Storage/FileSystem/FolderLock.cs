using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// An exclusive lock on a folder (<c>flock</c> on the folder itself), held while it is open. The
/// kernel drops it when its holder ends, however it ends (<c>kill -9</c> too), so a lock that can
/// be taken proves that whoever held it is gone, and what it left behind is garbage. Two locks
/// conflict even within one process (a lock belongs to an open folder, not to the process). A
/// folder rather than a file: nothing reads a folder's bytes, so no tool that opens the store's
/// files (.NET itself takes a shared lock on every file it opens) trips over it.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FolderLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>The lock on the folder at <paramref name="path"/> (which must exist); null when someone else holds it.</summary>
    public static FolderLock? TryTake(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No flock there: a file in the folder opened without sharing does the same.
            try { return new FolderLock(File.OpenHandle(Path.Join(path, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
            catch (IOException) { return null; }
        }
        var fd = Open(path, ReadOnly | CloseOnExec);
        if (fd < 0) throw LinuxCalls.Error(Marshal.GetLastPInvokeError(), path);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(handle, Exclusive | NonBlocking) == 0) return new FolderLock(handle);
        var error = Marshal.GetLastPInvokeError();
        handle.Dispose();
        return error == WouldBlock ? null : throw LinuxCalls.Error(error, path);
    }

    public void Dispose() => _handle.Dispose();

    private const int ReadOnly = 0; // O_RDONLY
    private const int CloseOnExec = 0x80000; // O_CLOEXEC (Linux)
    private const int Exclusive = 2; // LOCK_EX
    private const int NonBlocking = 4; // LOCK_NB
    private static readonly int WouldBlock = OperatingSystem.IsLinux() ? 11 : 35; // EWOULDBLOCK

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(SafeFileHandle handle, int operation);
}
