using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Streams;

/// <summary>Linux's <c>dup(2)</c>: another handle on the same open file, closed on its own.</summary>
internal static class FileHandles
{
    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(nint file);

    public static SafeFileHandle Duplicate(SafeFileHandle file)
    {
        var held = false;
        try
        {
            file.DangerousAddRef(ref held);
            var copy = Dup(file.DangerousGetHandle());
            if (copy < 0) throw new IOException($"dup failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            return new SafeFileHandle(copy, ownsHandle: true);
        }
        finally
        {
            if (held) file.DangerousRelease();
        }
    }
}
