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
internal sealed class FolderLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FolderLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>The lock on the folder at <paramref name="path"/> (which must exist); null when someone else holds it.</summary>
    public static FolderLock? TryTake(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // A file in the folder opened without sharing does the same there (.NET takes flock
            // itself on other Unixes, a share mode on Windows).
            try { return new FolderLock(File.OpenHandle(Path.Join(path, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
            catch (IOException) { return null; }
        }
        var fd = LinuxCalls.Open(path, LinuxCalls.ReadOnly | LinuxCalls.CloseOnExec);
        if (fd < 0) throw LinuxCalls.Error(Marshal.GetLastPInvokeError(), path);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LinuxCalls.Flock(handle, LinuxCalls.LockExclusive | LinuxCalls.LockNonBlocking) == 0) return new FolderLock(handle);
        var error = Marshal.GetLastPInvokeError();
        handle.Dispose();
        return error == LinuxCalls.TryAgain ? null : throw LinuxCalls.Error(error, path); // EWOULDBLOCK is EAGAIN
    }

    public void Dispose() => _handle.Dispose();
}
