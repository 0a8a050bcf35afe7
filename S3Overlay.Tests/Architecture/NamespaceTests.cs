using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// Every file of the proxy says the namespace of its folder, so a type is found where its
/// namespace says. The one exception is a part of a partial type kept in a subfolder by subject
/// (<c>Overlay/Whiteouts/OverlayObjectStore.Deletes.cs</c>): named <c>Type.Part.cs</c>, it keeps
/// the namespace of a folder above it, where the type lives.
/// </summary>
[UnitTests]
public sealed partial class NamespaceTests
{
    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [Fact]
    public void Every_file_of_the_proxy_says_its_folders_namespace()
    {
        var project = Path.Combine(RepoPaths.Root, "S3Overlay.Proxy");
        var astray = new List<string>();
        foreach (var file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(project, file);
            if (relative.StartsWith("obj" + Path.DirectorySeparatorChar) || relative.StartsWith("bin" + Path.DirectorySeparatorChar)) continue;
            if (Namespace().Match(File.ReadAllText(file)) is not { Success: true } declared) continue; // top-level statements (Program.cs)
            var folder = Path.GetDirectoryName(relative)!;
            var expected = folder.Length == 0 ? "S3Overlay" : "S3Overlay." + folder.Replace(Path.DirectorySeparatorChar, '.');
            var ns = declared.Groups[1].Value;
            var partOfAType = Path.GetFileNameWithoutExtension(file).Contains('.');
            if (ns == expected || (partOfAType && expected.StartsWith(ns + ".", StringComparison.Ordinal))) continue;
            astray.Add($"{relative}: {ns}, not {expected}");
        }
        Assert.True(astray.Count == 0, "Files whose namespace is not their folder's:\n" + string.Join("\n", astray));
    }
}
