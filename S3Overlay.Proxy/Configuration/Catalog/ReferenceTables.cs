using System.Text;

namespace S3Overlay.Configuration.Catalog;

/// <summary>
/// The reference tables of docs/configuration.md (every setting, by concern) and docs/cli.md (the
/// <c>serve</c> flags), written from the <see cref="SettingCatalog"/> between marker comments; the
/// prose around them stays the people's. <c>s3overlay reference --write docs</c> rewrites them,
/// and a test fails while the pages differ from what this writes.
/// </summary>
internal static class ReferenceTables
{
    /// <summary>The generated part of each page: its file (under docs/), its marker and its text.</summary>
    public static IReadOnlyList<(string File, string Marker, string Text)> Parts =>
    [
        ("configuration.md", "settings-reference", Configuration()),
        ("cli.md", "serve-flags", ServeFlags()),
    ];

    public static string Configuration()
    {
        var text = new StringBuilder();
        foreach (var section in SettingCatalog.Sections)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append($"## {section.Title}\n\n| Variable | .NET key | Default | Meaning |\n|---|---|---|---|\n");
            foreach (var setting in section.Settings)
                text.Append($"| {VariableCell(setting)} | {KeyCell(setting)} | {Cell(setting.DefaultMarkdown)} | {Cell(setting.Meaning)} |\n");
        }
        return text.ToString();
    }

    public static string ServeFlags()
    {
        var text = new StringBuilder("| Flag | Setting | Default | Meaning |\n|---|---|---|---|\n");
        foreach (var setting in SettingCatalog.Flagged)
            text.Append($"| `{setting.Flag}` | `{setting.Variable}` | {Cell(setting.DefaultMarkdown)} | {Cell(setting.FlagMeaning ?? setting.Meaning)} |\n");
        return text.ToString();
    }

    /// <summary><paramref name="page"/> with the text between its <paramref name="marker"/> comments replaced.</summary>
    public static string Splice(string page, string marker, string text)
    {
        var (begin, end) = ($"<!-- {marker}:begin -->\n", $"<!-- {marker}:end -->");
        var from = page.IndexOf(begin, StringComparison.Ordinal);
        var to = page.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from) throw new InvalidDataException($"the page has no {begin.TrimEnd()} … {end} pair");
        return page[..(from + begin.Length)] + text + page[to..];
    }

    /// <summary>Rewrites the tables in the pages under <paramref name="docs"/>; returns the pages that changed.</summary>
    public static IReadOnlyList<string> Write(string docs)
    {
        var changed = new List<string>();
        foreach (var (file, marker, text) in Parts)
        {
            var path = Path.Combine(docs, file);
            var page = File.ReadAllText(path).ReplaceLineEndings("\n");
            var updated = Splice(page, marker, text);
            if (updated == page) continue;
            File.WriteAllText(path, updated);
            changed.Add(path);
        }
        return changed;
    }

    private static string VariableCell(Setting setting) =>
        setting.Variable is null ? "(configuration only)"
        : setting.Flag is null ? $"`{setting.Variable}`"
        : $"`{setting.Variable}` (`{setting.Flag}`)";

    private static string KeyCell(Setting setting) => setting switch
    {
        ConfigurationOnlySetting only => string.Join(", ", only.Keys.Select(k => $"`{k}`")),
        _ when setting.Key == setting.Variable => "same name",
        _ => $"`{setting.Key}`",
    };

    // A '|' in a cell would end it.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
