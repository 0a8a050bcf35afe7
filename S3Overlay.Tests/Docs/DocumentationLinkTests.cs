using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Docs;

/// <summary>
/// Every relative link of the README and the docs leads somewhere: the file or folder exists, and
/// an anchor names a heading of the page it points into, by GitHub's rules. Moving or renaming a
/// section breaks a test here, not a reader's click.
/// </summary>
[UnitTests]
public sealed class DocumentationLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        foreach (var page in new[] { "README.md", "bench/README.md", "reliability/README.md" }
                     .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(p => Path.GetRelativePath(RepoPaths.Root, p)))
                     .Order(StringComparer.Ordinal))
            pages.Add(page);
        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves(string page)
    {
        var source = MarkdownPage.Read(Path.Combine(RepoPaths.Root, page));
        var broken = new List<string>();
        foreach (var (line, target) in source.Links())
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            var hash = target.IndexOf('#');
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
            var path = file.Length == 0 ? source.Path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source.Path)!, Uri.UnescapeDataString(file)));
            if (!path.StartsWith(RepoPaths.Root, StringComparison.Ordinal))
                broken.Add($"{page}:{line}: {target} leads out of the repository");
            else if (!File.Exists(path) && !Directory.Exists(path))
                broken.Add($"{page}:{line}: {target}: no such file or folder");
            else if (anchor is not null && !(path.EndsWith(".md", StringComparison.Ordinal) && File.Exists(path) && MarkdownPage.Read(path).Anchors().Contains(anchor)))
                broken.Add($"{page}:{line}: {target}: no heading with that anchor");
        }
        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    [Theory]
    [InlineData("Many targets, one server (bucket configuration)", "many-targets-one-server-bucket-configuration")]
    [InlineData("`s3overlay serve`", "s3overlay-serve")]
    [InlineData("What each row means, and why a target is not met", "what-each-row-means-and-why-a-target-is-not-met")]
    [InlineData("MinIO or any S3 as the local store", "minio-or-any-s3-as-the-local-store")]
    [InlineData("Cache and admin API", "cache-and-admin-api")]
    public void Anchors_follow_GitHub_s_rule(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownPage.Slug(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headings-{Guid.NewGuid():N}.md");
        File.WriteAllText(path, "# Title\n## Notes\n```\n## not a heading\n```\n## Notes\n");
        try
        {
            Assert.Equal(["notes", "notes-1", "title"], MarkdownPage.Read(path).Anchors().Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
