namespace S3Overlay.AppHost.Tests;

public static class RepoPaths
{
    /// <summary>The repository's root: the folder above the test binaries that holds S3Overlay.sln.</summary>
    public static string Root { get; } = Find(AppContext.BaseDirectory);

    private static string Find(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "S3Overlay.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No S3Overlay.sln above {from}");
    }
}
