using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// Storage/ is the seam and its stores: it knows neither the protocol in front of it (S3/) nor the
/// overlay and the fleet above it (Overlay/, Overlay/Fleet/). Its source is read for any use of
/// those namespaces: a using, a fully qualified name, or one qualified from inside S3Overlay.
/// </summary>
[UnitTests]
public sealed partial class StorageDependencyTests
{
    private static string StorageFolder => Path.Combine(RepoPaths.Root, "S3Overlay.Proxy", "Storage");

    /// <summary>
    /// S3Overlay.S3, S3Overlay.Overlay (its Fleet included) by their full names (also after
    /// <c>global::</c>), and the short forms that reach them from inside S3Overlay: <c>Overlay.X</c>,
    /// <c>Fleet.X</c>, and <c>S3.X</c> for the front end's folders (Storage/S3 has none of those names).
    /// </summary>
    [GeneratedRegex(@"\bS3Overlay\.(?<full>(S3|Overlay|Fleet)(\.[A-Z]\w*)*)|(?<![\w.])(?<short>(Overlay|Fleet)(\.[A-Z]\w*)+|S3\.(Errors|Auth|Checksums|ObjectLock|Xml|Http|Acl|Policies|Cors|Handlers|Routing|Payloads|PostObject|Parts|Tagging|Lifecycle)\b)")]
    private static partial Regex LeftwardUse();

    /// <summary>The namespace a use names: its longest prefix that is a folder of the project (a namespace is its folder).</summary>
    private static string NamespaceOf(string used)
    {
        var name = used.StartsWith("S3Overlay.", StringComparison.Ordinal) ? used : "S3Overlay." + used;
        var (ns, folder) = ("S3Overlay", Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"));
        foreach (var part in name.Split('.').Skip(1))
        {
            if (!Directory.Exists(Path.Combine(folder, part))) break;
            (ns, folder) = (ns + "." + part, Path.Combine(folder, part));
        }
        return ns;
    }

    private static Dictionary<string, SortedSet<string>> Uses()
    {
        var uses = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(StorageFolder, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(StorageFolder, file).Replace(Path.DirectorySeparatorChar, '/');
            foreach (Match m in LeftwardUse().Matches(File.ReadAllText(file)))
            {
                var used = m.Groups["full"].Success ? "S3Overlay." + m.Groups["full"].Value : m.Groups["short"].Value;
                if (used.StartsWith("Fleet.", StringComparison.Ordinal)) used = "Overlay." + used;
                (uses.TryGetValue(relative, out var set) ? set : uses[relative] = new SortedSet<string>(StringComparer.Ordinal)).Add(NamespaceOf(used));
            }
        }
        return uses;
    }

    [Fact]
    public void No_file_in_Storage_uses_the_protocol_the_overlay_or_the_fleet()
    {
        var uses = Uses().SelectMany(u => u.Value.Select(ns => $"{u.Key} uses {ns}")).ToList();
        Assert.True(uses.Count == 0,
            "Storage/ knows neither S3/ nor Overlay/ (nor the fleet): throw a StorageException and let S3/Errors/StorageErrors answer it, " +
            "move the types both need into Storage/ (as Storage/Checksums, Storage/ObjectLock), or a pure algorithm beside both (as Signing/).\n" + string.Join('\n', uses));
    }

    [Theory]
    [InlineData("using S3Overlay.S3.Errors;", "S3Overlay.S3.Errors")]
    [InlineData("using Lock = S3Overlay.S3.ObjectLock;", "S3Overlay.S3.ObjectLock")]
    [InlineData("catch (global::S3Overlay.S3.Errors.S3Exception e)", "S3Overlay.S3.Errors")]
    [InlineData("var o = services.IsService(typeof(S3Overlay.Overlay.OverlayObjectStore));", "S3Overlay.Overlay")]
    [InlineData("/// (<see cref=\"Overlay.Fleet.PeerMark\"/>).", "S3Overlay.Overlay.Fleet")]
    [InlineData("catch (S3.Errors.S3Exception e)", "S3Overlay.S3.Errors")]
    [InlineData("using S3Overlay.S3;", "S3Overlay.S3")]
    public void The_reader_sees_each_way_of_naming_them(string line, string expected)
    {
        var m = LeftwardUse().Match(line);
        Assert.True(m.Success, line);
        var used = m.Groups["full"].Success ? "S3Overlay." + m.Groups["full"].Value : m.Groups["short"].Value;
        Assert.Equal(expected, NamespaceOf(used));
    }

    [Theory]
    [InlineData("namespace S3Overlay.Storage.S3;")]
    [InlineData("var store = new S3.S3ObjectStore(options);")]
    [InlineData("/// the overlay's cache bucket (Overlay/LostLocal/).")]
    [InlineData("throw new StorageException(StorageFault.StoreFailed, key, message: \"The S3Overlay answered.\");")]
    public void The_reader_passes_what_names_none_of_them(string line) => Assert.False(LeftwardUse().IsMatch(line), line);
}
