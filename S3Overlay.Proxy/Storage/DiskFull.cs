using S3Overlay.Storage.Errors;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Storage;

/// <summary>
/// Tells a failure caused by a full file system from any other, wherever it surfaced: the
/// IOException .NET throws (on Unix its HResult is the errno: ENOSPC, or EDQUOT for a user's
/// quota; on Windows ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL), wrapped in another (a fill's
/// spill file reports its writer's failure so), or already answered as <see cref="StorageFault.StoreFull"/>.
/// </summary>
internal static class DiskFull
{
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool Caused(Exception? failure) => ExceptionChain.Of(failure).Any(e =>
        e is IOException { HResult: LinuxCalls.NoSpace or LinuxCalls.QuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull }
        || (e is StorageException s && s.Fault == StorageFault.StoreFull));
}
