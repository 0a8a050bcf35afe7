using System.Text.RegularExpressions;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// Which namespaces of the proxy a source file uses, read as C# resolves names: a <c>using</c>
/// (plain, static or alias), a fully qualified name (also after <c>global::</c>, in a cref too), or
/// a name qualified from inside <c>S3Overlay</c> (<c>Overlay.Fleet.PeerMark</c>,
/// <c>S3.Auth.AuthSettings</c>), looked up from the file's own namespace outwards. A short name
/// counts only when what follows it is a folder or a type of that namespace, so a property that
/// shares a room's name (<c>hidden.Buckets.Count</c>, <c>Buckets.Contains</c>) is not a use.
/// </summary>
public sealed partial class SourceUses
{
    [GeneratedRegex(@"\bS3Overlay((?:\.[A-Z]\w*)+)")]
    private static partial Regex FullName();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*(?:\.[A-Z]\w*)+)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record|delegate\s+[\w<>\[\],.? ]+?)\s+([A-Z]\w*)")]
    private static partial Regex Declared();

    /// <summary>Every namespace of the proxy: one per folder ("S3Overlay.Overlay.Fills"), with the types declared in it.</summary>
    private readonly Dictionary<string, HashSet<string>> _types;

    public SourceUses(IEnumerable<string> folders, IEnumerable<(string Namespace, string Text)> sources)
    {
        _types = folders.ToDictionary(f => "S3Overlay." + f.Replace('/', '.'), _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (ns, text) in sources)
            if (_types.TryGetValue(ns, out var types))
                foreach (Match m in Declared().Matches(text)) types.Add(m.Groups[1].Value);
    }

    /// <summary>The proxy's source as it is on disk.</summary>
    public static SourceUses OfTheProxy() =>
        new(ProxyTree.Folders(), ProxyTree.SourceFiles().Select(f => File.ReadAllText(Path.Combine(ProxyTree.Root, f))).Select(t => (NamespaceOf(t), t)));

    /// <summary>The namespace a file declares; "S3Overlay" for top-level statements.</summary>
    public static string NamespaceOf(string text) => Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : "S3Overlay";

    /// <summary>The namespaces of the proxy <paramref name="text"/> uses, each with the name that uses it.</summary>
    public IEnumerable<(string Namespace, string Name)> In(string text)
    {
        var own = NamespaceOf(text);
        foreach (Match m in FullName().Matches(text))
            if (Longest("S3Overlay", m.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries)) is { } used)
                yield return (used.Namespace, m.Value);
        foreach (Match m in QualifiedName().Matches(text))
        {
            var parts = m.Groups[1].Value.Split('.');
            if (parts[0] == "S3Overlay") continue;
            if (Resolve(own, parts) is { } used) yield return (used, m.Value);
        }
    }

    /// <summary>A short name looked up as C# does: from the file's namespace outwards, the first enclosing namespace that has it.</summary>
    private string? Resolve(string own, string[] parts)
    {
        var enclosing = own.Split('.');
        for (var depth = enclosing.Length; depth >= 1; depth--)
        {
            var outer = string.Join('.', enclosing[..depth]);
            if (!_types.ContainsKey(outer + "." + parts[0])) continue;
            // A namespace with that name is visible; it is a use when a folder or a type of it follows.
            return Longest(outer, parts) is { Next: not null } used && _types[used.Namespace].Contains(used.Next) ? used.Namespace : null;
        }
        return null;
    }

    /// <summary>The longest namespace <paramref name="outer"/>.parts… names, and the segment after it.</summary>
    private (string Namespace, string? Next)? Longest(string outer, string[] parts)
    {
        (string Namespace, string? Next)? found = null;
        var ns = outer;
        for (var i = 0; i < parts.Length; i++)
        {
            ns += "." + parts[i];
            if (!_types.ContainsKey(ns)) break;
            found = (ns, i + 1 < parts.Length ? parts[i + 1] : null);
        }
        return found;
    }
}
