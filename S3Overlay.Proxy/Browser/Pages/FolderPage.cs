using S3Overlay.Overlay;
using S3Overlay.S3.Http;
using S3Overlay.Storage;
using S3Overlay.Web;

namespace S3Overlay.Browser.Pages;

/// <summary>What a folder page needs: where it is, one page of the listing, and how to reach the objects.</summary>
/// <param name="After">The continuation token this page started from (null on the first page).</param>
/// <param name="Download">The download URL of a key (presigned for a signed-in visitor).</param>
/// <param name="CanAdminister">Whether the visitor may use the admin API here (warm, evict, whiteouts).</param>
/// <param name="Overlay">Where the listed objects live and how much is cached, in overlay mode; null without a remote.</param>
internal sealed record FolderView(
    string Bucket, string Prefix, ListPage Listing, string? After, int? MaxKeys, bool CanWrite, bool CanAdminister, Func<string, string> Download, FolderOverlay? Overlay = null);

/// <param name="CachedBytes">Bytes cached under the folder's prefix.</param>
/// <param name="FolderBytes">Bytes cached under each listed sub-folder.</param>
/// <param name="Objects">Where each listed object lives, by key.</param>
internal sealed record FolderOverlay(long CachedBytes, IReadOnlyDictionary<string, long> FolderBytes, IReadOnlyDictionary<string, ObjectLocation> Objects);

/// <summary>A bucket, or a folder of it: sub-folders first, then objects, one listing page at a time.</summary>
internal static class FolderPage
{
    public static HtmlPage Render(BrowserVisitor visitor, FolderView v)
    {
        var page = new HtmlPage();
        var title = v.Prefix.Length == 0 ? v.Bucket : v.Bucket + "/" + v.Prefix;
        PageLayout.Begin(page, title, visitor, PageLayout.Trail(v.Bucket, v.Prefix));

        if (v.CanWrite)
        {
            page.Raw("<div class=\"drop\" id=\"drop\" data-presign=\"").Text(BrowserLinks.Presign(v.Bucket)).Raw("\" data-prefix=\"").Text(v.Prefix).Raw("\">")
                .Raw("<label class=\"btn primary\">Upload files<input type=\"file\" id=\"files\" multiple></label>")
                .Raw("<span class=\"muted\">or drop files here to upload them into <b>").Text(v.Prefix.Length == 0 ? v.Bucket + "/" : v.Prefix).Raw("</b></span></div>")
                .Raw("<ul class=\"uploads\" id=\"uploads\"></ul>");
        }

        var overlay = v.Overlay;
        if (overlay is not null) OverlayControls.Render(page, v.Bucket, v.Prefix, key: null, overlay.CachedBytes, v.CanAdminister);

        var listing = v.Listing;
        page.Raw("<div class=\"card\"><table><thead><tr><th>Name</th><th class=\"num\">Size</th>").Raw(overlay is null ? "" : "<th>Where</th>")
            .Raw("<th>Last modified</th><th></th></tr></thead><tbody>");
        var empty = overlay is null ? "" : "<td></td>";
        if (v.Prefix.Length > 0)
        {
            var parent = BrowserLinks.FolderOf(v.Prefix[..^1]);
            page.Raw("<tr><td class=\"name\"><a href=\"").Text(BrowserLinks.Folder(v.Bucket, parent)).Raw("\">").Raw(Icons.Up)
                .Raw("..</a></td><td></td>").Raw(empty).Raw("<td></td><td></td></tr>");
        }
        foreach (var folder in listing.CommonPrefixes)
        {
            page.Raw("<tr><td class=\"name\"><a href=\"").Text(BrowserLinks.Folder(v.Bucket, folder)).Raw("\">").Raw(Icons.Folder)
                .Text(folder[v.Prefix.Length..]).Raw("</a></td><td class=\"num muted\">folder</td>");
            if (overlay is not null)
                page.Raw("<td class=\"muted\" data-folder-cached=\"").Number(overlay.FolderBytes.GetValueOrDefault(folder)).Raw("\">")
                    .Text(ByteSize.Format(overlay.FolderBytes.GetValueOrDefault(folder))).Raw(" cached</td>");
            page.Raw("<td></td><td></td></tr>");
        }
        foreach (var entry in listing.Objects)
        {
            var name = entry.Key.Length > v.Prefix.Length ? entry.Key[v.Prefix.Length..] : entry.Key;
            page.Raw("<tr><td class=\"name\"><a href=\"").Text(BrowserLinks.Object(v.Bucket, entry.Key)).Raw("\">").Raw(Icons.File)
                .Text(name).Raw("</a></td><td class=\"num\" title=\"").Number(entry.Size).Raw(" bytes\">").Text(ByteSize.Format(entry.Size))
                .Raw("</td>");
            if (overlay is not null)
            {
                page.Raw("<td>");
                if (overlay.Objects.TryGetValue(entry.Key, out var location)) PlacementView.Badge(page, location);
                page.Raw("</td>");
            }
            page.Raw("<td class=\"when\">").Time(entry.LastModified).Raw("</td><td class=\"act\">")
                .Raw("<a class=\"btn small\" title=\"Download\" download=\"").Text(FileName(entry.Key)).Raw("\" href=\"").Text(v.Download(entry.Key)).Raw("\">")
                .Raw(Icons.Download).Raw("</a>");
            if (v.CanWrite) DeleteButton(page, v.Bucket, entry.Key, then: null, small: true);
            page.Raw("</td></tr>");
        }
        if (listing.Objects.Count == 0 && listing.CommonPrefixes.Count == 0)
            page.Raw("<tr><td colspan=\"").Number(overlay is null ? 4 : 5).Raw("\" class=\"empty\">").Text(v.After is null ? "This folder is empty." : "No more entries.").Raw("</td></tr>");
        page.Raw("</tbody></table></div>");

        page.Raw("<div class=\"pager\"><span class=\"muted grow\">");
        page.Number(listing.CommonPrefixes.Count).Raw(listing.CommonPrefixes.Count == 1 ? " folder, " : " folders, ")
            .Number(listing.Objects.Count).Raw(listing.Objects.Count == 1 ? " object" : " objects")
            .Raw(" (").Text(ByteSize.Format(listing.Objects.Sum(o => o.Size))).Raw(")").Raw(v.After is null && !listing.IsTruncated ? "" : " on this page").Raw("</span>");
        if (v.After is not null) page.Link(BrowserLinks.Folder(v.Bucket, v.Prefix, maxKeys: v.MaxKeys), "First page", "btn");
        if (listing.IsTruncated && listing.NextStartAfter is { } next)
            page.Link(BrowserLinks.Folder(v.Bucket, v.Prefix, ListingQuery.EncodeToken(next), v.MaxKeys), "Next page", "btn");
        page.Raw("</div>");
        return PageLayout.End(page);
    }

    public static void DeleteButton(HtmlPage page, string bucket, string key, string? then, bool small)
    {
        page.Raw("<button type=\"button\" class=\"btn danger").Raw(small ? " small" : "").Raw("\" title=\"Delete\" data-delete data-key=\"").Text(key)
            .Raw("\" data-presign=\"").Text(BrowserLinks.Presign(bucket)).Raw("\"");
        if (then is not null) page.Raw(" data-then=\"").Text(then).Raw("\"");
        page.Raw(">").Raw(Icons.Trash).Raw(small ? "" : " Delete").Raw("</button>");
    }

    /// <summary>The last segment of a key, the name a download is saved under.</summary>
    public static string FileName(string key)
    {
        var name = key.TrimEnd('/');
        name = name[(name.LastIndexOf('/') + 1)..];
        return name.Length == 0 ? "download" : name;
    }
}
