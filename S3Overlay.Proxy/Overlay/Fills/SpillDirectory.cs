using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay;

/// <summary>
/// The folder fills spill to. Created owner-only; at start-up the spill files a crashed run
/// left behind are removed (a running fill deletes its own file when it ends, so none of a
/// live process is older than the process).
/// </summary>
public static class SpillDirectory
{
    /// <summary>Creates the folder (owner-only) unless it exists.</summary>
    public static void Create(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Removes the spill files older than <paramref name="startedAt"/> (a crashed run's).</summary>
    public static void Sweep(string directory, DateTimeOffset startedAt, ILogger logger)
    {
        Create(directory);
        var swept = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles(SpillBuffer.FilePattern))
        {
            // Another proxy may share the folder: only files older than this run are stale.
            if (file.LastWriteTimeUtc >= startedAt.UtcDateTime) continue;
            try
            {
                file.Delete();
                swept++;
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not remove the stale spill file {File}: {Reason}", file.FullName, e.Message);
            }
        }
        if (swept > 0) logger.LogInformation("Removed {Count} spill files a previous run left in {Directory}", swept, directory);
    }
}
