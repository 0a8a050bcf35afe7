using System.Text;
using System.Text.RegularExpressions;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// A markdown page of the repository as GitHub reads it: its links (outside code) and the anchors
/// its headings get. Only what the documentation tests need, not a markdown parser.
/// </summary>
public sealed partial class MarkdownPage
{
    private MarkdownPage(string path, IReadOnlyList<(int Line, string Text)> prose, IReadOnlyList<string> headings)
    {
        Path = path;
        Prose = prose;
        Headings = headings;
    }

    public string Path { get; }

    /// <summary>The lines outside fenced code blocks, with inline code spans blanked out, numbered from 1.</summary>
    public IReadOnlyList<(int Line, string Text)> Prose { get; }

    public IReadOnlyList<string> Headings { get; }

    public static MarkdownPage Read(string path)
    {
        var prose = new List<(int, string)>();
        var headings = new List<string>();
        var fenced = false;
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            if (HeadingLine().Match(line) is { Success: true } heading) headings.Add(heading.Groups[1].Value);
            prose.Add((number, CodeSpan().Replace(line, m => new string(' ', m.Length))));
        }
        return new MarkdownPage(path, prose, headings);
    }

    /// <summary>Every link and image target in the prose, with its line.</summary>
    public IEnumerable<(int Line, string Target)> Links() =>
        Prose.SelectMany(p => Link().Matches(p.Text).Select(m => (p.Line, m.Groups[1].Value.Trim())));

    /// <summary>The anchors GitHub gives the headings: repeated ones numbered -1, -2, ….</summary>
    public HashSet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var heading in Headings)
        {
            var slug = Slug(heading);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>
    /// GitHub's rule: the heading's text (link targets and markup dropped), lower case, every
    /// character but letters, digits, spaces, hyphens and underscores removed, spaces made hyphens.
    /// </summary>
    public static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading, "$1").ToLowerInvariant();
        var slug = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    // [text](target) and ![alt](target); a target has no spaces (titles are not used here).
    [GeneratedRegex(@"!?\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLink();
}
