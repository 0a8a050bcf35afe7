using System.Runtime.CompilerServices;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Paths in the source tree, found from this file's own location at compile time.</summary>
public static class RepoPaths
{
    public static string TestsProject { get; } = Path.GetDirectoryName(Here())!.Replace("/Infrastructure", "");
    public static string Root { get; } = Path.GetDirectoryName(TestsProject)!;

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)! + "/Infrastructure";
}
