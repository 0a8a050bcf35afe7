using Microsoft.Extensions.Logging;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// The folder fills spill to (<c>S3_OVERLAY_SPILL_DIR</c>), shared by every proxy on the machine.
/// Each process spills into a folder of its own inside it, <c>run-ID/</c>, locked for its life
/// (<see cref="FolderLock"/>). A lock that can be taken proves its process is gone, however it
/// ended, so a start-up sweep removes exactly the folders of ended runs, at once: none of a live
/// proxy's files, and everything of a crashed one's, whatever its age.
/// </summary>
internal static class SpillDirectory
{
    private const string Prefix = "run-";
    private const string Pending = "claim-";

    /// <summary>A claim is made within microseconds: a pending one older than this was cut off by a crash.</summary>
    private static readonly TimeSpan Settling = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Sweeps what ended runs left in <paramref name="directory"/> and claims a folder there for
    /// this process; its path, and the claim to hold for as long as the folder is used.
    /// </summary>
    public static (string Folder, IDisposable Claim) Claim(string directory, ILogger logger)
    {
        CreateOwnerOnly(directory);
        Sweep(directory, logger);
        var id = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        // Locked under a name no sweep takes for a run's, then renamed (the lock goes with the
        // folder): a run's folder is never seen unlocked while its run lives.
        var pending = Path.Join(directory, Pending + id);
        CreateOwnerOnly(pending);
        var claim = FolderLock.TryTake(pending) ?? throw new IOException($"Could not lock the new spill folder {pending}.");
        var folder = Path.Join(directory, Prefix + id);
        Directory.Move(pending, folder);
        return (folder, claim);
    }

    /// <summary>Removes the folders of runs that ended (their lock free), whatever their age.</summary>
    public static void Sweep(string directory, ILogger logger)
    {
        var swept = 0;
        var root = new DirectoryInfo(directory);
        foreach (var run in root.EnumerateDirectories(Prefix + "*"))
        {
            FolderLock? ended;
            try
            {
                ended = FolderLock.TryTake(run.FullName);
            }
            catch (IOException) when (!Directory.Exists(run.FullName))
            {
                continue; // another proxy starting beside this one swept it first
            }
            if (ended is null) continue; // a live run's
            using (ended) swept += Remove(run, logger);
        }
        // Claims a crash cut off, and spill files of versions before run folders.
        var settled = DateTime.UtcNow - Settling;
        foreach (var pending in root.EnumerateDirectories(Pending + "*").Where(d => d.LastWriteTimeUtc < settled))
            swept += Remove(pending, logger);
        foreach (var loose in root.EnumerateFiles(SpillBuffer.FilePattern).Where(f => f.LastWriteTimeUtc < settled))
        {
            try
            {
                loose.Delete();
                swept++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        if (swept > 0) logger.LogInformation("Removed {Count} spill files that ended runs left in {Directory}", swept, directory);
    }

    private static int Remove(DirectoryInfo folder, ILogger logger)
    {
        try
        {
            var files = folder.EnumerateFiles().Count();
            folder.Delete(recursive: true);
            return files;
        }
        catch (DirectoryNotFoundException)
        {
            // Another proxy starting beside this one swept it first: it had the lock before this
            // one, removed the folder, and let go (seen as a warning in the test runs, 27 Nov).
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not remove the spill folder {Folder} of an ended run: {Reason}", folder.FullName, e.Message);
            return 0;
        }
    }

    private static void CreateOwnerOnly(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
