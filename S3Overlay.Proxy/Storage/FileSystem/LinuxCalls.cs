using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The C library calls the confined folders make on Linux (<see cref="ConfinedFolder"/>): each
/// acts on a name relative to an open folder, so nothing is looked up by path twice. Every one
/// returns -1 and sets errno on failure (<see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static class LinuxCalls
{
    // open(2) flags. O_DIRECTORY and O_NOFOLLOW are spelled differently on ARM and POWER.
    private static readonly bool ArmFlags = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le;
    public const int ReadOnly = 0; // O_RDONLY
    public const int CloseOnExec = 0x80000; // O_CLOEXEC
    public static readonly int Directory = ArmFlags ? 0x4000 : 0x10000; // O_DIRECTORY
    public static readonly int NoFollow = ArmFlags ? 0x8000 : 0x20000; // O_NOFOLLOW

    public const int CurrentFolder = -100; // AT_FDCWD
    public const int RemoveFolder = 0x200; // AT_REMOVEDIR
    public const uint NoReplace = 1; // RENAME_NOREPLACE
    public const int LockExclusive = 2; // LOCK_EX
    public const int LockNonBlocking = 4; // LOCK_NB

    // errno
    public const int NotPermitted = 1; // EPERM
    public const int NoSuchEntry = 2; // ENOENT
    public const int TryAgain = 11; // EAGAIN
    public const int AccessDenied = 13; // EACCES
    public const int Exists = 17; // EEXIST
    public const int CrossDevice = 18; // EXDEV: openat2 saw the path leave the folder
    public const int NotADirectory = 20; // ENOTDIR
    public const int IsADirectory = 21; // EISDIR
    public const int InvalidArgument = 22; // EINVAL
    public const int NoSpace = 28; // ENOSPC
    public const int NotImplemented = 38; // ENOSYS
    public const int NotEmpty = 39; // ENOTEMPTY
    public const int TooManyLinks = 40; // ELOOP: a link where none may be followed
    public const int QuotaExceeded = 122; // EDQUOT

    // openat2(2)'s resolve flags: links are followed only while the path stays below the folder,
    // and never through /proc's magic links.
    private const ulong ResolveBeneath = 0x08 | 0x02; // RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS
    private const long Openat2Number = 437; // the same on every architecture

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern int Openat2(long number, SafeFileHandle folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref OpenHow how, nint size);

    /// <summary>openat2 with RESOLVE_BENEATH: the file at <paramref name="path"/> below <paramref name="folder"/>, never outside it.</summary>
    public static int OpenBeneath(SafeFileHandle folder, string path, int flags)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = ResolveBeneath };
        return Openat2(Openat2Number, folder, path, ref how, Marshal.SizeOf<OpenHow>());
    }

    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    public static extern int OpenAt(SafeFileHandle folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    public static extern int MakeFolderAt(SafeFileHandle folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int mode);

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    public static extern int RenameAt(int fromFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string from, SafeFileHandle toFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string to, uint flags);

    [DllImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    public static extern int UnlinkAt(SafeFileHandle folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static extern int Flock(SafeFileHandle file, int operation);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(SafeFileHandle file);

    /// <summary>An exception for errno <paramref name="error"/> of an operation on <paramref name="path"/>, as .NET's own calls report it.</summary>
    public static Exception Error(int error, string path)
    {
        var message = $"{Marshal.GetPInvokeErrorMessage(error)} : '{path}'";
        return error is AccessDenied or NotPermitted ? new UnauthorizedAccessException(message)
            : new IOException(message, error); // HResult: the errno, as .NET gives it on Unix
    }
}
