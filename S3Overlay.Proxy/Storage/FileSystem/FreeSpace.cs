using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The data folder's file system running out of room. A write that fails for it is answered
/// <see cref="StorageFault.StoreFull"/> (its own files already removed by the write), and the health
/// check reports the folder full until there is room again. Free space is read (statvfs) only when
/// the health check asks and when a write has just failed, never per request.
/// </summary>
internal sealed class FreeSpace(string root)
{
    /// <summary>Less free than this is full: hardly an object fits, and the store's own small files fail next.</summary>
    public const long Minimum = 1024 * 1024;

    private const long NoFailure = -1;

    // The free space measured when a write last failed for lack of it; NoFailure once a write has succeeded since.
    private long _freeAtFailure = NoFailure;

    /// <summary>Runs a write of the store; a full disk becomes StorageFull, and is remembered for the health check.</summary>
    public async Task<T> WatchAsync<T>(Func<Task<T>> write)
    {
        try
        {
            var done = await write();
            if (Volatile.Read(ref _freeAtFailure) != NoFailure) Volatile.Write(ref _freeAtFailure, NoFailure);
            return done;
        }
        catch (Exception e) when (e is not StorageException && DiskFull.Caused(e))
        {
            Volatile.Write(ref _freeAtFailure, Available() ?? 0);
            throw new StorageException(StorageFault.StoreFull, inner: e);
        }
    }

    public Task WatchAsync(Func<Task> write) => WatchAsync(async () =>
    {
        await write();
        return true;
    });

    /// <summary>
    /// Why the folder counts as full: less than <see cref="Minimum"/> free, or a write failed for
    /// lack of room and neither has a write succeeded since nor has free space grown. Null when not full.
    /// </summary>
    public string? Shortage()
    {
        var free = Available();
        var failedAt = Volatile.Read(ref _freeAtFailure);
        var failed = failedAt != NoFailure && free <= failedAt;
        if (free is null or >= Minimum && !failed) return null;
        return $"the data folder's file system is full: {free?.ToString() ?? "?"} bytes free" +
               (failed ? ", and the last write failed for lack of room" : "");
    }

    /// <summary>What this process may still write there; null when it cannot be told (the folder is gone: the store's own check says so).</summary>
    private long? Available()
    {
        try { return new DriveInfo(root).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }
}
