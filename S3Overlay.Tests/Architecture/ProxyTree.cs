namespace S3Overlay.Tests.Architecture;

/// <summary>
/// The proxy's source as the architecture and docs tests read it: its C# files and the folders
/// that hold them (bin/ and obj/ left out). A room is a top-level folder; a file's room is the
/// first folder of its path, and a file at the project's root (Program.cs) is in the room "(root)".
/// </summary>
public static class ProxyTree
{
    public static string Root { get; } = Path.Combine(Infrastructure.RepoPaths.Root, "S3Overlay.Proxy");

    /// <summary>The room of the files at the project's root (Program.cs, GlobalUsings.cs).</summary>
    public const string RootRoom = "(root)";

    /// <summary>Every C# file, by its path under the project with '/' separators.</summary>
    public static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Every folder that holds C# source, at any depth ("Overlay", "Overlay/Fills").</summary>
    public static SortedSet<string> Folders()
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles())
            for (var folder = Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '/'); folder.Length > 0;
                 folder = Path.GetDirectoryName(folder)!.Replace(Path.DirectorySeparatorChar, '/'))
                folders.Add(folder);
        return folders;
    }

    /// <summary>The rooms: the top-level folders that hold source.</summary>
    public static SortedSet<string> Rooms() => new(Folders().Where(f => !f.Contains('/')), StringComparer.Ordinal);
}
