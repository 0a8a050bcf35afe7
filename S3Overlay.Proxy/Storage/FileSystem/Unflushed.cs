namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// In a sidecar, marks a body committed without being flushed to disk (a write asking for
/// <see cref="Durability.Unflushed"/>): the boot it was written in, and its MD5. Such a body is
/// whole as long as the machine has not restarted (a killed process loses nothing the kernel
/// holds); read in a later boot, it is checked against the MD5 once, and removed if a power cut
/// left it torn. The sidecar itself is always flushed before the body is renamed into place, so
/// a body a power cut kept is never without the mark.
/// </summary>
/// <param name="Md5">Lower-case hex MD5 of the body (the ETag may be a multipart one).</param>
internal sealed record Unflushed(string BootId, string Md5)
{
    private const string BootIdFile = "/proc/sys/kernel/random/boot_id";

    /// <summary>This boot's id, or null where the system does not tell one.</summary>
    public static string? CurrentBootId()
    {
        try
        {
            return OperatingSystem.IsLinux() ? File.ReadAllText(BootIdFile).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
