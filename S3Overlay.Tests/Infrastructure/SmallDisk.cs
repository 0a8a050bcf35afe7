using System.Diagnostics;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A file system of a few MiB (a tmpfs) mounted for one test, to fill up and free at will. Tests
/// run as root; where mounting is refused anyway (no root, a container without CAP_SYS_ADMIN) the
/// test is skipped, saying why. Unmounted on dispose.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly List<string> _fillers = [];

    private SmallDisk(string root) => Root = root;

    /// <summary>The mount point.</summary>
    public string Root { get; }

    /// <param name="inodes">How many files and folders it can hold (tmpfs's nr_inodes); null: tmpfs's default, plenty.</param>
    public static SmallDisk Mount(long bytes, int? inodes = null)
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("a tmpfs is Linux's");
        var root = Directory.CreateTempSubdirectory("s3overlay-disk-").FullName;
        var options = $"size={bytes},mode=0700" + (inodes is { } n ? $",nr_inodes={n}" : "");
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", root);
        if (code == 0) return new SmallDisk(root);
        Directory.Delete(root);
        Assert.Skip($"mounting a tmpfs was refused (mount: exit {code}, {output.Trim()}); the full-disk tests need root or CAP_SYS_ADMIN");
        return null!;
    }

    /// <summary>A folder on the disk (created).</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Join(Root, name)).FullName;

    /// <summary>Writes a file at the disk's root until not one more byte fits but <paramref name="leave"/> (whole pages: tmpfs counts pages).</summary>
    public void FillUp(long leave = 0)
    {
        var path = Path.Join(Root, $"filler-{_fillers.Count}");
        _fillers.Add(path);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // Full, to the page (a short write takes what fits before ENOSPC).
        }
        file.SetLength(file.Length - leave);
        Assert.Equal(leave, new DriveInfo(Root).AvailableFreeSpace);
    }

    /// <summary>Creates empty files at the disk's root until no more can be made (its inodes are used up).</summary>
    public void UseUpInodes()
    {
        var folder = Folder("inodes");
        _fillers.Add(folder);
        try
        {
            for (var i = 0; ; i++) File.Create(Path.Join(folder, i.ToString())).Dispose();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Removes what <see cref="FillUp"/> and <see cref="UseUpInodes"/> took: space returns.</summary>
    public void Free()
    {
        foreach (var filler in _fillers)
            if (Directory.Exists(filler)) Directory.Delete(filler, recursive: true);
            else File.Delete(filler);
        _fillers.Clear();
    }

    public void Dispose()
    {
        // Lazily, should a file still be open: the mount goes once nothing uses it.
        var (code, output) = Run("umount", Root);
        if (code != 0) (code, output) = Run("umount", "-l", Root);
        if (code != 0) throw new InvalidOperationException($"could not unmount {Root}: {output}");
        Directory.Delete(Root);
    }

    private static (int Code, string Output) Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = StartOrNull(info, out var missing);
        if (process is null) return (-1, missing!);
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private static Process? StartOrNull(ProcessStartInfo info, out string? why)
    {
        try
        {
            why = null;
            return Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"{info.FileName}: {e.Message}";
            return null;
        }
    }
}
