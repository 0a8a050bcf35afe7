using System.Text.RegularExpressions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// The repository's text says what the code does and why, never which ticket or which round of
/// work brought it: a reader has neither the tracker nor the history at hand, so such a citation
/// explains nothing. Every source file, script and page (product, tests, bench, build,
/// reliability, deploy, docs, README) is read for one. Another project's issue is cited by its
/// repository (<c>owner/name#N</c>, <c>versitygw#646</c>), which a reader can follow.
/// </summary>
[UnitTests]
public sealed partial class HistoryCitationTests
{
    /// <summary>Folders that are not the project's text: build output, packages, run data.</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "node_modules", "TestResults", "data", "__pycache__", "work",
    };

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".csproj", ".props", ".sln", ".sh", ".py", ".md", ".json", ".js", ".mjs", ".rb", ".go",
        ".yaml", ".yml", ".txt", ".service", ".env", ".xml",
    };

    /// <summary>
    /// An issue by number, "(issue", "the issue's", a session or round of work by its ordinal or
    /// number, and "exactly as before …" / "as before the …".
    /// </summary>
    [GeneratedRegex(@"\bissues?\s*#?\d+|\(issue\b|\bthe issue's\b|\bas the issue (asks|says)\b|\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\d+(st|nd|rd|th))\s+session\b|\b(in|from|since|during|after|before|of)\s+(the\s+)?(session|round)\s+\d+\b|\bsession\s+\d+\b|\bexactly as before\b|\bas before the\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex Citation();

    private static IEnumerable<string> ProjectFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(file);
            if (TextExtensions.Contains(Path.GetExtension(file)) || name is "Dockerfile" or "run") yield return file;
        }
        foreach (var sub in Directory.EnumerateDirectories(folder))
            if (!Skipped.Contains(Path.GetFileName(sub)))
                foreach (var file in ProjectFiles(sub)) yield return file;
    }

    [Fact]
    public void No_file_cites_an_issue_or_a_round_of_work()
    {
        var self = Path.Combine(RepoPaths.TestsProject, "Docs", nameof(HistoryCitationTests) + ".cs");
        var files = ProjectFiles(RepoPaths.Root).Where(f => f != self).ToList();
        // The walk reaches every part of the tree the rule is for.
        foreach (var part in new[] { "S3Overlay.Proxy", "S3Overlay.Tests", "bench", "build", "reliability", "docs" })
            Assert.Contains(files, f => f.StartsWith(Path.Combine(RepoPaths.Root, part) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        Assert.Contains(Path.Combine(RepoPaths.Root, "README.md"), files);

        var found = files
            .SelectMany(f => File.ReadLines(f).Select((text, i) => (File: f, Line: i + 1, Text: text)))
            .Where(l => Citation().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(RepoPaths.Root, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "Say the reason itself, not the issue or round of work it came from:\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("/// Remote listing pages remembered (issue 37, item 4): served again")]
    [InlineData("# Issue 27's target: the first 100 fills at most 1.3 x the steady state")]
    [InlineData("// versitygw policyErrEmptyStatement (issue #646 quotes AWS).")]
    [InlineData("whose issues #645-#650 quote AWS")]
    [InlineData("/// The issue's figures (a 100 MiB cap, 300 MiB read) are scaled down")]
    [InlineData("as found in round 3")]
    [InlineData("// No verb: the server, configured exactly as before the CLI.")]
    public void A_citation_of_history_is_found(string line) => Assert.Matches(Citation(), line);

    /// <summary>An ordinal round of work, built here so this file names none itself.</summary>
    [Theory]
    [InlineData("ninth")]
    [InlineData("twenty-sixth")]
    public void A_numbered_session_is_found(string ordinal) => Assert.Matches(Citation(), $"measured in the {ordinal} session against 15.9");

    [Theory]
    [InlineData("// versitygw policyErrEmptyStatement (versitygw#646 quotes AWS).")]
    [InlineData("SessionToken: read.String(\"S3_OVERLAY_LOCAL_SESSION_TOKEN\"),")]
    [InlineData("16 connections each waiting 44 ms, a round trip each")]
    [InlineData("| round | setting | set | req/s |")]
    [InlineData("warm_settings.py 3 (16:33-16:37; round 2 shared with another bench from 16:36):")]
    [InlineData("// The URL as issued still uploads")]
    public void Text_that_cites_nothing_is_not_flagged(string line) => Assert.DoesNotMatch(Citation(), line);
}
