using System.Text;
using System.Text.RegularExpressions;

namespace S3Overlay.Tests.Architecture;

/// <summary>
/// The table of docs/architecture.md that says which room may use which (between
/// <c>&lt;!-- rooms:begin --&gt;</c> and <c>&lt;!-- rooms:end --&gt;</c>): one row per room, its
/// name in backticks and the rooms it may use. A room is a top-level folder of the proxy, or a
/// sub-folder the table names as a room of its own (<c>Telemetry/Status</c>); every other folder
/// belongs to the room it is in.
/// </summary>
public sealed partial class RoomTable
{
    public const string Page = "docs/architecture.md";
    public const string Markers = "<!-- rooms:begin --> … <!-- rooms:end -->";

    [GeneratedRegex(@"^\|\s*`(?<room>[^`]+)`\s*\|(?<uses>[^|]*)\|")]
    private static partial Regex Row();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Backticked();

    /// <summary>Each room and the rooms it may use.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> MayUse { get; }

    private RoomTable(IReadOnlyDictionary<string, IReadOnlySet<string>> mayUse) => MayUse = mayUse;

    public static RoomTable Read()
    {
        var page = File.ReadAllText(Path.Combine(Infrastructure.RepoPaths.Root, "docs", "architecture.md")).ReplaceLineEndings("\n");
        var from = page.IndexOf("<!-- rooms:begin -->", StringComparison.Ordinal);
        var to = page.IndexOf("<!-- rooms:end -->", StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{Page} has lost the table of which room may use which ({Markers})");
        var rows = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var line in page[from..to].Split('\n'))
            if (Row().Match(line) is { Success: true } row)
                rows[row.Groups["room"].Value] = Backticked().Matches(row.Groups["uses"].Value).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        return new RoomTable(rows);
    }

    /// <summary>The room a folder of the proxy ("Overlay/Fills", "" for the root) belongs to: the deepest one the table names, else its top-level folder.</summary>
    public string RoomOf(string folder)
    {
        if (folder.Length == 0) return ProxyTree.RootRoom;
        for (var candidate = folder; candidate.Length > 0; candidate = candidate.Contains('/') ? candidate[..candidate.LastIndexOf('/')] : "")
            if (MayUse.ContainsKey(candidate)) return candidate;
        return folder.Split('/')[0];
    }

    /// <summary>The room of a namespace of the proxy ("S3Overlay.Overlay.Fills").</summary>
    public string RoomOfNamespace(string ns) => RoomOf(ns == "S3Overlay" ? "" : ns["S3Overlay.".Length..].Replace('.', '/'));

    /// <summary>A cycle among the arrows the table allows, as "A → B → A"; null when there is none.</summary>
    public string? Cycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        string? Visit(string room)
        {
            state[room] = 1;
            path.Add(room);
            foreach (var used in MayUse.GetValueOrDefault(room) ?? new HashSet<string>())
            {
                if (state.GetValueOrDefault(used) == 1) return string.Join(" → ", path[path.IndexOf(used)..].Append(used));
                if (state.GetValueOrDefault(used) == 0 && Visit(used) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[room] = 2;
            return null;
        }
        foreach (var room in MayUse.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(room) == 0 && Visit(room) is { } cycle) return cycle;
        return null;
    }

    /// <summary>
    /// The Mermaid picture of the arrows found in the code (between <c>&lt;!-- rooms-diagram:begin/end --&gt;</c>),
    /// each room once, then each arrow no longer path of arrows implies (the rest would only
    /// cross the picture: Hosting uses Storage, and also Overlay, which uses Storage).
    /// </summary>
    public static string Diagram(IEnumerable<(string From, string To)> arrows)
    {
        static string Node(string room) => Regex.Replace(room, @"[^A-Za-z0-9]", "_").Trim('_') is { Length: > 0 } id ? id : "root";
        var edges = arrows.Distinct().ToHashSet();
        var uses = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList(), StringComparer.Ordinal);
        bool Reaches(string from, string to, (string, string) skip)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var next = new Stack<string>([from]);
            while (next.TryPop(out var room))
                foreach (var used in uses.GetValueOrDefault(room) ?? [])
                    if ((room, used) != skip && seen.Add(used))
                    {
                        if (used == to) return true;
                        next.Push(used);
                    }
            return false;
        }
        var text = new StringBuilder("```mermaid\nflowchart TD\n");
        foreach (var room in edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal))
            text.Append($"  {Node(room)}[\"{room}\"]\n");
        foreach (var (from, to) in edges.Where(e => !Reaches(e.From, e.To, e)).OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal))
            text.Append($"  {Node(from)} --> {Node(to)}\n");
        return text.Append("```\n").ToString();
    }
}
