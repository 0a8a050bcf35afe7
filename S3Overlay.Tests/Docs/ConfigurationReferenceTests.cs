using System.Text.RegularExpressions;
using S3Overlay.Cli.Serve;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// The configuration reference and the code name the same settings: every <c>S3_OVERLAY_*</c>
/// name the server's code spells as a string is in docs/configuration.md, and the page names no
/// setting the code does not have. The serve flags are in docs/cli.md with the variable and the
/// default they have in the code.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    private static string Configuration => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configuration.md"));

    private static SortedSet<string> InCode() =>
        new(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .SelectMany(f => Literal().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)),
            StringComparer.Ordinal);

    // A whole name: not a family such as S3_OVERLAY_REMOTE_* (followed by '*').
    private static SortedSet<string> InReference() =>
        new(Name().Matches(Configuration).Select(m => m.Value), StringComparer.Ordinal);

    [Fact]
    public void The_code_reads_settings_the_test_can_see() =>
        Assert.Contains("S3_OVERLAY_CHUNK_SIZE", InCode());

    [Fact]
    public void Every_setting_the_code_names_is_in_the_reference()
    {
        var missing = InCode().Except(InReference()).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md lacks " + string.Join(", ", missing));
    }

    [Fact]
    public void The_reference_names_no_setting_the_code_lacks()
    {
        var unknown = InReference().Except(InCode()).ToList();
        Assert.True(unknown.Count == 0, "docs/configuration.md names settings the code does not have: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_serve_flag_is_in_the_CLI_reference_with_its_variable_and_default()
    {
        var cli = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "cli.md"));
        var wrong = new List<string>();
        foreach (var flag in ServeFlag.All)
        {
            var row = cli.FirstOrDefault(l => l.StartsWith($"| `{flag.Name}` |", StringComparison.Ordinal));
            if (row is null) { wrong.Add($"{flag.Name}: no row"); continue; }
            var cells = row.Split('|').Select(c => c.Trim()).ToArray();
            if (cells[2] != $"`{flag.Variable}`") wrong.Add($"{flag.Name}: variable {cells[2]}, the code's is {flag.Variable}");
            if (cells[3] != flag.Default) wrong.Add($"{flag.Name}: default {cells[3]}, the code's is {flag.Default}");
            if (flag.Variable.StartsWith("S3_OVERLAY_", StringComparison.Ordinal) && !Configuration.Contains($"`{flag.Variable}`", StringComparison.Ordinal))
                wrong.Add($"{flag.Name}: {flag.Variable} is not in docs/configuration.md");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [GeneratedRegex(@"""(S3_OVERLAY_[A-Z0-9_]+)""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"S3_OVERLAY_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*\*)")]
    private static partial Regex Name();
}
