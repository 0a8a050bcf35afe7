using S3Overlay.Admin;
using S3Overlay.Web;

namespace S3Overlay.Browser.Pages;

/// <summary>
/// The overlay bar of a folder or an object page: how much is cached, and for visitors the admin
/// API lets in (<c>admin:*</c>) buttons to warm and evict (and to list a folder's whiteouts). The page's script calls the
/// admin API with same-origin fetches, which its cross-site guard lets through.
/// </summary>
internal static class OverlayControls
{
    /// <param name="key">The object's key on an object page; null on a folder page, whose <paramref name="prefix"/> is the scope.</param>
    /// <param name="cachedBytes">Bytes cached under the folder; null on an object page.</param>
    public static void Render(HtmlPage page, string bucket, string prefix, string? key, long? cachedBytes, bool mayAdminister)
    {
        if (cachedBytes is null && !mayAdminister) return; // an object page of a visitor without admin:*: nothing to show or do
        page.Raw("<div class=\"bar overlay\" id=\"overlay\" data-api=\"").Text(AdminApi.Prefix).Raw("\" data-bucket=\"").Text(bucket)
            .Raw("\" data-scope=\"").Raw(key is null ? "prefix" : "key").Raw("\" data-name=\"").Text(key ?? prefix).Raw("\">");
        page.Raw("<span class=\"grow\">");
        if (cachedBytes is { } bytes)
            page.Raw("<b>Overlay</b>: <span data-cached-bytes=\"").Number(bytes).Raw("\">").Text(ByteSize.Format(bytes)).Raw("</span> of this folder cached here");
        else page.Raw("<b>Overlay</b>");
        page.Raw("</span>");
        if (mayAdminister)
        {
            var what = key is null ? "folder" : "object";
            page.Raw("<button type=\"button\" class=\"btn\" data-warm>Warm ").Raw(what).Raw("</button>")
                .Raw("<button type=\"button\" class=\"btn\" data-evict>Evict ").Raw(what).Raw("</button>");
            if (key is null) page.Raw("<button type=\"button\" class=\"btn\" data-whiteouts>Show deleted keys</button>");
            page.Raw("<progress id=\"warm-progress\" max=\"1\" value=\"0\" hidden></progress><span class=\"muted\" id=\"overlay-state\" role=\"status\"></span>");
        }
        page.Raw("</div>");
        if (mayAdminister && key is null) page.Raw("<div class=\"card whiteouts\" id=\"whiteouts\" hidden><p>Deleted here: hidden whatever the remote holds.</p><ul></ul></div>");
    }
}
