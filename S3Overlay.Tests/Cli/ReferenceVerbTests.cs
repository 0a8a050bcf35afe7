using S3Overlay.Configuration.Catalog;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Cli;

/// <summary><c>s3overlay reference --write DOCS</c>: rewrites the generated tables, and only them.</summary>
[UnitTests]
public sealed class ReferenceVerbTests
{
    [Fact]
    public async Task Write_replaces_a_stale_table_keeps_the_prose_and_then_finds_the_pages_current()
    {
        var docs = Directory.CreateTempSubdirectory("s3overlay-docs-").FullName;
        try
        {
            foreach (var file in new[] { "configuration.md", "cli.md" })
                File.Copy(Path.Combine(RepoPaths.Root, "docs", file), Path.Combine(docs, file));
            var page = Path.Combine(docs, "configuration.md");
            var original = File.ReadAllText(page);
            File.WriteAllText(page, original.Replace("`16777216` (16 MiB)", "`8388608` (8 MiB)", StringComparison.Ordinal) + "\nProse after the tables.\n");

            var stale = await CliRun.RunAsync("reference", "--write", docs);
            Assert.Equal(0, stale.ExitCode);
            Assert.Contains("rewrote " + page, stale.Output);
            Assert.DoesNotContain("cli.md", stale.Output);
            var written = File.ReadAllText(page);
            Assert.Contains(ReferenceTables.Configuration(), written);
            Assert.DoesNotContain("8388608", written);
            Assert.EndsWith("\nProse after the tables.\n", written);

            var again = await CliRun.RunAsync("reference", "--write", docs);
            Assert.Contains("the reference is current", again.Output);
        }
        finally
        {
            Directory.Delete(docs, recursive: true);
        }
    }

    [Fact]
    public async Task A_page_without_its_markers_is_refused_naming_them()
    {
        var docs = Directory.CreateTempSubdirectory("s3overlay-docs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(docs, "configuration.md"), "# Configuration\n");
            var run = await CliRun.RunAsync("reference", "--write", docs);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("<!-- settings-reference:begin -->", run.Error);
        }
        finally
        {
            Directory.Delete(docs, recursive: true);
        }
    }
}
