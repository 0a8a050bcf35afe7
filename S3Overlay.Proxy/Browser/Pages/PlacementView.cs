using S3Overlay.Overlay;

namespace S3Overlay.Browser.Pages;

/// <summary>"Where it lives" on an object's page in overlay mode: the placement, and a chunk map for a partly cached object.</summary>
internal static class PlacementView
{
    public static void Row(HtmlPage page, ObjectLocation location)
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
    }

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
