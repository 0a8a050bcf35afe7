using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Web;

namespace S3Overlay.Browser.Pages;

/// <param name="Download">The download URL (presigned for a signed-in visitor), relative to this server.</param>
/// <param name="DownloadExpires">When a presigned download URL stops working; null for a public, unsigned one.</param>
/// <param name="Location">Where the object lives, in overlay mode; null without a remote.</param>
/// <param name="CanAdminister">Whether the visitor may use the admin API on the bucket (warm, evict).</param>
/// <param name="Now">The time the page is drawn at, to tell whether a cached copy is still fresh.</param>
internal sealed record ObjectView(
    string Bucket, ObjectInfo Info, string Download, string AbsoluteDownload, DateTimeOffset? DownloadExpires, bool CanWrite, bool CanAdminister, DateTimeOffset Now, ObjectLocation? Location = null);

/// <summary>One object: its description, user metadata, a download link, and delete.</summary>
internal static class ObjectPage
{
    public static HtmlPage Render(BrowserVisitor visitor, ObjectView v)
    {
        var info = v.Info;
        var m = info.Metadata;
        var page = new HtmlPage();
        PageLayout.Begin(page, info.Key, visitor, PageLayout.Trail(v.Bucket, info.Key));

        page.Raw("<div class=\"bar\"><a class=\"btn primary\" download=\"").Text(FolderPage.FileName(info.Key)).Raw("\" href=\"").Text(v.Download).Raw("\">")
            .Raw(Icons.Download).Raw(" Download</a>");
        if (v.CanWrite) FolderPage.DeleteButton(page, v.Bucket, info.Key, then: BrowserLinks.Folder(v.Bucket, BrowserLinks.FolderOf(info.Key)), small: false);
        page.Raw("<span class=\"grow\"></span>").Link(BrowserLinks.Folder(v.Bucket, BrowserLinks.FolderOf(info.Key)), "Back to folder", "btn").Raw("</div>");

        if (v.Location is not null) OverlayControls.Render(page, v.Bucket, BrowserLinks.FolderOf(info.Key), info.Key, cachedBytes: null, v.CanAdminister);

        page.Raw("<div class=\"card\"><table class=\"props\"><tbody>");
        Row(page, "Key", info.Key, mono: true);
        page.Raw("<tr><th>Size</th><td>").Text(ByteSize.Format(info.Size)).Raw(" <span class=\"muted\">(").Number(info.Size).Raw(" bytes)</span></td></tr>");
        page.Raw("<tr><th>Last modified</th><td>").Time(info.LastModified).Raw("</td></tr>");
        Row(page, "ETag", info.ETag, mono: true);
        if (v.Location is { } location) PlacementView.Row(page, location, v.Now);
        Row(page, "Content-Type", m.ContentType ?? "binary/octet-stream");
        Row(page, "Content-Encoding", m.ContentEncoding);
        Row(page, "Content-Disposition", m.ContentDisposition);
        Row(page, "Content-Language", m.ContentLanguage);
        Row(page, "Cache-Control", m.CacheControl);
        Row(page, "Expires", m.Expires);
        foreach (var (algorithm, value) in m.Checksums.OrderBy(c => c.Key, StringComparer.Ordinal))
            Row(page, "Checksum " + algorithm.ToUpperInvariant(), value, mono: true);
        page.Raw("</tbody></table></div>");

        page.Raw("<h2>User metadata</h2><div class=\"card\"><table class=\"props\"><tbody>");
        foreach (var (name, value) in m.UserMetadata.OrderBy(u => u.Key, StringComparer.Ordinal))
            Row(page, "x-amz-meta-" + name, value);
        if (m.UserMetadata.Count == 0) page.Raw("<tr><td class=\"empty\">No user metadata.</td></tr>");
        page.Raw("</tbody></table></div>");

        page.Raw("<h2>Download link</h2><div class=\"bar\"><input class=\"url grow\" id=\"link\" readonly value=\"").Text(v.AbsoluteDownload).Raw("\">")
            .Raw("<button type=\"button\" class=\"btn\" data-copy=\"link\">Copy</button></div><p class=\"muted\">");
        if (v.DownloadExpires is { } expires) page.Raw("A presigned URL: anyone who has it can download this object until ").Time(expires).Raw(".");
        else page.Raw("The bucket is public: this URL needs no credentials.");
        page.Raw("</p>");
        return PageLayout.End(page);
    }

    private static void Row(HtmlPage page, string name, string? value, bool mono = false)
    {
        if (value is null) return;
        page.Raw("<tr><th>").Text(name).Raw("</th><td").Raw(mono ? " class=\"mono\"" : "").Raw(">").Text(value).Raw("</td></tr>");
    }
}
