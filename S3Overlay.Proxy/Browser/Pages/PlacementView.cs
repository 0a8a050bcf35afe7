using S3Overlay.Overlay;

namespace S3Overlay.Browser.Pages;

/// <summary>
/// Where objects live, in overlay mode: a row on an object's page (with its freshness and, for a
/// partly cached object, a chunk map), and a short badge per object in a folder.
/// </summary>
internal static class PlacementView
{
    public static void Row(HtmlPage page, ObjectLocation location, DateTimeOffset now)
    {
        page.Raw("<tr><th>Where it lives</th><td data-placement=\"").Text(location.Placement.ToString()).Raw("\">").Text(Describe(location));
        if (location.CachedChunks is { } chunks)
        {
            // One square per chunk, filled when held: a glance shows which ranges a read would fetch.
            page.Raw("<div class=\"chunks\" aria-hidden=\"true\">");
            foreach (var held in chunks) page.Raw(held ? "<span class=\"chunk held\"></span>" : "<span class=\"chunk\"></span>");
            page.Raw("</div>");
        }
        page.Raw("</td></tr>");
        if (location.ValidatedAt is { } validated)
        {
            page.Raw("<tr><th>Cached</th><td data-fresh=\"").Raw(IsFresh(location, now) ? "fresh" : "stale").Raw("\">Filled or last confirmed by the remote ")
                .Time(validated).Raw(" <span class=\"muted\">(").Text(Age(now - validated)).Raw(" ago)</span>. ");
            if (location.StaleAfter is not { } stale) page.Raw("Fresh: trusted until evicted.");
            else if (stale > now) page.Raw("Fresh until ").Time(stale).Raw(".");
            else page.Raw("Stale: the next read checks the remote first.");
            page.Raw("</td></tr>");
        }
    }

    /// <summary>A short label in a folder's listing; an object the folder lists but neither store holds here is the remote's.</summary>
    public static void Badge(HtmlPage page, ObjectLocation location)
    {
        var (label, title) = location.Placement switch
        {
            ObjectPlacement.LocalOnly => ("local", "Local only (written here)"),
            ObjectPlacement.Cached => ("cached", "Cached from the remote"),
            ObjectPlacement.PartlyCached => ("partial", Describe(location)),
            ObjectPlacement.WhitedOut => ("deleted", "Deleted here (whiteout)"),
            _ => ("remote", "Remote only (not fetched yet)"),
        };
        page.Raw("<span class=\"badge ").Raw(label).Raw("\" data-badge=\"").Raw(label).Raw("\" title=\"").Text(title).Raw("\">").Raw(label).Raw("</span>");
    }

    private static bool IsFresh(ObjectLocation location, DateTimeOffset now) => location.StaleAfter is not { } stale || stale > now;

    private static string Age(TimeSpan age) =>
        age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)} s"
        : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min"
        : age.TotalDays < 1 ? $"{(int)age.TotalHours} h"
        : $"{(int)age.TotalDays} d";

    private static string Describe(ObjectLocation location) => location.Placement switch
    {
        ObjectPlacement.LocalOnly => "Local only (written here)",
        ObjectPlacement.Cached => "Cached from the remote",
        ObjectPlacement.PartlyCached when location.CachedChunks is { } c => $"Partly cached: {c.Count(h => h)} of {c.Count} chunks",
        ObjectPlacement.WhitedOut => "Deleted here (whiteout)",
        // The page's HEAD found it, so a key neither store holds locally is the remote's.
        _ => "Remote only (not fetched yet)",
    };
}
