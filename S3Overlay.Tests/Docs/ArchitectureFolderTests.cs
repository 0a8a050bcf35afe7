using System.Text.RegularExpressions;
using S3Overlay.Tests.Architecture;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// docs/architecture.md's "The rooms" names every folder: each top-level folder of the repository
/// and of the proxy has an entry of its own (a line that starts with its name and a slash), and
/// each sub-folder is named (<c>Fills/</c>) in the entry of the folder it is in. A folder added
/// without a word there fails here, naming it and where to add it.
/// </summary>
[UnitTests]
public sealed partial class ArchitectureFolderTests
{
    private static readonly string[] NotSource = ["bin", "obj", "node_modules", "data", "TestResults"];

    /// <summary>An entry of the rooms block: its indent, its names (<c>bench/, reliability/</c>) and its text with the lines that continue it.</summary>
    private sealed record Entry(int Indent, IReadOnlyList<string> Names, string Text);

    [GeneratedRegex(@"^(?<indent> *)(?<names>[\w.]+/(, [\w.]+/)*)( |$)")]
    private static partial Regex EntryLine();

    private static List<Entry> Entries()
    {
        var page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "architecture.md")).ReplaceLineEndings("\n");
        var from = page.IndexOf("## The rooms", StringComparison.Ordinal);
        Assert.True(from >= 0, "docs/architecture.md has lost its section \"## The rooms\"");
        var open = page.IndexOf("```\n", from, StringComparison.Ordinal) + 4;
        var block = page[open..page.IndexOf("```", open, StringComparison.Ordinal)];
        var entries = new List<Entry>();
        foreach (var line in block.Split('\n'))
        {
            if (EntryLine().Match(line) is { Success: true } m && m.Groups["indent"].Length <= 2)
                entries.Add(new Entry(m.Groups["indent"].Length, m.Groups["names"].Value.Split(", ").Select(n => n.TrimEnd('/')).ToList(), line));
            else if (entries.Count > 0)
                entries[^1] = entries[^1] with { Text = entries[^1].Text + "\n" + line };
        }
        return entries;
    }

    [Fact]
    public void Every_folder_of_the_repository_and_of_the_proxy_is_named()
    {
        var entries = Entries();
        var missing = new List<string>();
        var repo = Directory.EnumerateDirectories(RepoPaths.Root).Select(Path.GetFileName).OfType<string>()
            .Where(d => !d.StartsWith('.') && !NotSource.Contains(d)).Order(StringComparer.Ordinal);
        foreach (var folder in repo)
            if (!entries.Any(e => e.Indent == 0 && e.Names.Contains(folder)))
                missing.Add($"{folder}/: add a line `{folder}/   what it holds` to the block");
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(RepoPaths.Root, "deploy")).Select(Path.GetFileName))
            if (!entries.Any(e => e.Indent == 0 && e.Names.Contains("deploy") && e.Text.Contains($"{folder}/", StringComparison.Ordinal)))
                missing.Add($"deploy/{folder}/: name `{folder}/` in the entry of deploy/");
        foreach (var folder in ProxyTree.Folders())
        {
            var room = folder.Split('/')[0];
            var entry = entries.FirstOrDefault(e => e.Indent == 2 && e.Names.Contains(room));
            if (entry is null)
                missing.Add($"S3Overlay.Proxy/{room}/: add a line `  {room}/   what the room holds` under S3Overlay.Proxy/");
            else if (folder != room && !Regex.IsMatch(entry.Text, $@"(?<![\w/]){Regex.Escape(folder.Split('/')[^1])}/"))
                missing.Add($"S3Overlay.Proxy/{folder}/: name `{folder.Split('/')[^1]}/` (and what it holds) in the entry of {room}/");
        }
        Assert.True(missing.Count == 0, "docs/architecture.md's \"The rooms\" does not name these folders:\n" + string.Join('\n', missing));
    }
}
