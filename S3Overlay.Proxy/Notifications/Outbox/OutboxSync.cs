using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// Flushes what was written into a segment's allocated space: on Linux its data alone
/// (<c>fdatasync</c>), since neither its size nor where its blocks lie changed, so the file's
/// inode need not be written again (a second write and wait for each flush, on the path of every
/// write that raises an event); elsewhere, or when the size did change, the whole file.
/// </summary>
internal static class OutboxSync
{
    public static void Flush(SafeFileHandle file, bool sizeChanged)
    {
        if (sizeChanged || !OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }
        if (fdatasync(file) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"The notification outbox could not be flushed: {Marshal.GetPInvokeErrorMessage(error)}", error);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(SafeFileHandle file);
}
