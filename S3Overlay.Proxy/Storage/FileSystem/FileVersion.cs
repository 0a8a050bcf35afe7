using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Which version of a file an open handle reads: its size and modification time (what a sidecar
/// records) and, where the platform tells it, its inode. Every write of this store renames a new
/// file into place, so a new version always has a new inode, even when size and modification
/// time (which the kernel keeps only to the clock tick) are the same as the old one's.
/// </summary>
internal readonly record struct FileVersion(long Size, DateTime LastWriteUtc, ulong? Inode)
{
    /// <summary>One <c>statx</c> call on Linux; elsewhere two stat calls and no inode.</summary>
    public static FileVersion Of(SafeFileHandle file) => OfFile(file) ?? throw new IOException("A folder has no file version.");

    /// <summary>
    /// The version of the open file, or null when it is a folder (which opens for reading as
    /// readily as a file): one <c>statx</c> on Linux tells both.
    /// </summary>
    public static FileVersion? OfFile(SafeFileHandle file)
    {
        if (Statx.TryRead(file, out var folder) is { } version) return folder ? null : version;
        if ((File.GetAttributes(file) & FileAttributes.Directory) != 0) return null;
        return new FileVersion(RandomAccess.GetLength(file), File.GetLastWriteTimeUtc(file), null);
    }

    /// <summary>Which file or folder an open handle is (device and inode), to tell it from another at the same path; null where the platform does not tell.</summary>
    public static (ulong Device, ulong Inode)? IdentityOf(SafeFileHandle file) => Statx.TryIdentity(file, null);

    /// <summary>Which file or folder is at <paramref name="path"/> now (links followed); null when there is none, or the platform does not tell.</summary>
    public static (ulong Device, ulong Inode)? IdentityOf(string path) => Statx.TryIdentity(null, path);

    /// <summary>The version of the file at <paramref name="path"/>, or null when there is none.</summary>
    public static FileVersion? OfPath(string path)
    {
        if (StoreFiles.TryOpen(path) is not { } opened) return null;
        using (opened.File) return opened.Version;
    }

    private static class Statx
    {
        private const int AtEmptyPath = 0x1000;
        private const uint WantedMask = 0x1 /* TYPE */ | 0x40 /* MTIME */ | 0x100 /* INO */ | 0x200 /* SIZE */;
        private const int FileTypeBits = 0xF000; // S_IFMT
        private const int FolderType = 0x4000; // S_IFDIR
        private static bool _unavailable = !OperatingSystem.IsLinux();

        // struct statx (linux/stat.h): the same layout on every architecture.
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        private struct Buffer
        {
            [FieldOffset(0)] public uint Mask;
            [FieldOffset(28)] public ushort Mode;
            [FieldOffset(32)] public ulong Inode;
            [FieldOffset(40)] public ulong Size;
            [FieldOffset(112)] public long MTimeSeconds;
            [FieldOffset(120)] public uint MTimeNanoseconds;
            [FieldOffset(136)] public uint DeviceMajor;
            [FieldOffset(140)] public uint DeviceMinor;
        }

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Native(SafeFileHandle dirfd, string path, int flags, uint mask, out Buffer result);

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int NativeAt(int dirfd, string path, int flags, uint mask, out Buffer result);

        private const int CurrentFolder = -100; // AT_FDCWD
        private const uint InodeMask = 0x100; // INO

        public static (ulong, ulong)? TryIdentity(SafeFileHandle? file, string? path)
        {
            if (_unavailable) return null;
            try
            {
                var done = file is not null ? Native(file, "", AtEmptyPath, InodeMask, out var b) : NativeAt(CurrentFolder, path!, 0, InodeMask, out b);
                if (done != 0 || (b.Mask & InodeMask) == 0) return null;
                return (((ulong)b.DeviceMajor << 32) | b.DeviceMinor, b.Inode);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true;
                return null;
            }
        }

        public static FileVersion? TryRead(SafeFileHandle file, out bool folder)
        {
            folder = false;
            if (_unavailable) return null;
            try
            {
                if (Native(file, "", AtEmptyPath, WantedMask, out var b) != 0 || (b.Mask & WantedMask) != WantedMask) return null;
                folder = (b.Mode & FileTypeBits) == FolderType;
                // As .NET computes File.GetLastWriteTimeUtc: seconds and nanoseconds since the epoch, to the 100 ns tick.
                var ticks = DateTime.UnixEpoch.Ticks + b.MTimeSeconds * TimeSpan.TicksPerSecond + b.MTimeNanoseconds / 100;
                return new FileVersion((long)b.Size, new DateTime(ticks, DateTimeKind.Utc), b.Inode);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true; // an old C library: fall back for good
                return null;
            }
        }
    }
}
