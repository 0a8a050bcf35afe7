using System.Text.RegularExpressions;
using S3Overlay.Configuration.Catalog;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// Every setting is declared once, in the catalog (S3Overlay.Proxy/Configuration/Catalog), and the
/// reference tables of docs/configuration.md and docs/cli.md are what those declarations
/// generate: names, keys, flags, defaults and meanings.
/// </summary>
[UnitTests]
public sealed partial class ConfigurationReferenceTests
{
    private const string Regenerate = "run `dotnet run --project S3Overlay.Proxy -- reference --write docs` and commit the pages";

    private static readonly string CatalogFolder = Path.Combine("Configuration", "Catalog") + Path.DirectorySeparatorChar;

    private static IEnumerable<(string Path, string Text)> ProxySources() =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "S3Overlay.Proxy"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(f)));

    private static SortedSet<string> Declared() => new(SettingCatalog.All.Select(s => s.Name), StringComparer.Ordinal);

    [Theory]
    [InlineData("configuration.md")]
    [InlineData("cli.md")]
    public void The_reference_tables_are_what_the_declarations_generate(string file)
    {
        var (_, marker, expected) = ReferenceTables.Parts.Single(p => p.File == file);
        var page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", file)).ReplaceLineEndings("\n");
        var begin = $"<!-- {marker}:begin -->\n";
        var from = page.IndexOf(begin, StringComparison.Ordinal);
        var to = page.IndexOf($"<!-- {marker}:end -->", StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"docs/{file} has lost its <!-- {marker}:begin/end --> comments; put them back around the table and {Regenerate}");
        var actual = page[(from + begin.Length)..to];
        var stale = expected.Split('\n').Except(actual.Split('\n')).FirstOrDefault() ?? actual.Split('\n').Except(expected.Split('\n')).FirstOrDefault();
        Assert.True(actual == expected, $"docs/{file} differs from the declared settings (first line that differs: {stale}); {Regenerate}");
    }

    [Fact]
    public void The_generated_tables_hold_every_declared_setting_with_its_default()
    {
        var configuration = ReferenceTables.Configuration();
        Assert.Contains("| `S3_OVERLAY_CHUNK_SIZE` (`--chunk-size`) | `Overlay:ChunkSize` | `16777216` (16 MiB) |", configuration);
        Assert.Contains("| `S3_OVERLAY_REMOTE_TIMEOUT` | `Overlay:RemoteTimeout` | `30` (seconds) |", configuration);
        foreach (var setting in SettingCatalog.All)
            Assert.Contains($" | {setting.DefaultMarkdown} | ", configuration);
        Assert.Contains("| `--users` | `S3_OVERLAY_USERS_FILE` | (none) |", ReferenceTables.ServeFlags());
    }

    [Fact]
    public void No_setting_name_is_spelt_outside_the_catalog()
    {
        var spelt = ProxySources()
            .Where(f => !f.Path.Contains(CatalogFolder, StringComparison.Ordinal))
            .SelectMany(f => Literal().Matches(f.Text).Select(m => $"{Path.GetFileName(f.Path)}: \"{m.Groups[1].Value}\""))
            .ToList();
        Assert.True(spelt.Count == 0, "read these through their declarations (Configuration/Catalog): " + string.Join(", ", spelt));
    }

    [Fact]
    public void Every_setting_named_in_the_code_and_the_docs_is_declared()
    {
        var pages = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Append(Path.Combine(RepoPaths.Root, "README.md"))
            .Select(f => (f, File.ReadAllText(f)));
        var named = ProxySources().Concat(pages)
            .SelectMany(f => Name().Matches(f.Item2).Select(m => (File: Path.GetFileName(f.Item1), m.Value)))
            .Where(n => !Declared().Contains(n.Value))
            .Select(n => $"{n.File}: {n.Value}")
            .Distinct()
            .ToList();
        Assert.True(named.Count == 0, "named but not declared in S3Overlay.Proxy/Configuration/Catalog: " + string.Join(", ", named));
    }

    [Fact]
    public void Every_setting_the_server_reads_itself_is_read_through_its_declaration()
    {
        var code = string.Concat(ProxySources().Where(f => !f.Path.Contains(CatalogFolder, StringComparison.Ordinal)).Select(f => f.Text));
        var unread = SettingCatalog.Sections
            .SelectMany(section => section.Catalog.GetFields().Select(field => (section, field)))
            .Where(s => s.field.GetValue(null) is not (ExternalSetting or ConfigurationOnlySetting))
            .Select(s => $"{s.section.Catalog.Name}.{s.field.Name}")
            .Where(use => !code.Contains(use, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(CacheCatalog.ChunkSize, SettingCatalog.All);
        Assert.True(unread.Count == 0, "declared but read nowhere: " + string.Join(", ", unread));
    }

    [Fact]
    public void Each_name_flag_and_key_is_declared_once()
    {
        var all = SettingCatalog.All.ToList();
        Assert.True(all.Count > 60, $"only {all.Count} settings found");
        Assert.Empty(all.GroupBy(s => s.Name).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(all.GroupBy(s => s.Key).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(all.Where(s => s.Flag is not null).GroupBy(s => s.Flag).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [GeneratedRegex(@"""(S3_OVERLAY_[A-Z0-9_]+)""")]
    private static partial Regex Literal();

    // A whole name: not a family such as S3_OVERLAY_REMOTE_* (followed by '*').
    [GeneratedRegex(@"S3_OVERLAY_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*\*)")]
    private static partial Regex Name();
}
