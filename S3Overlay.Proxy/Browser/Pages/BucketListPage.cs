using S3Overlay.Storage;
using S3Overlay.Web;

namespace S3Overlay.Browser.Pages;

/// <summary>The start page: the buckets the visitor may browse.</summary>
internal static class BucketListPage
{
    public static HtmlPage Render(BrowserVisitor visitor, IReadOnlyList<BucketInfo> buckets)
    {
        var page = new HtmlPage();
        PageLayout.Begin(page, "Buckets", visitor, PageLayout.Trail(null));
        page.Raw("<div class=\"card\"><table><thead><tr><th>Bucket</th><th>Created</th></tr></thead><tbody>");
        foreach (var bucket in buckets)
        {
            page.Raw("<tr><td class=\"name\"><a href=\"").Text(BrowserLinks.Folder(bucket.Name)).Raw("\">").Raw(Icons.Bucket)
                .Text(bucket.Name).Raw("</a></td><td class=\"when\">").Time(bucket.CreationDate).Raw("</td></tr>");
        }
        if (buckets.Count == 0)
            page.Raw("<tr><td colspan=\"2\" class=\"empty\">").Text(visitor.SignedIn ? "No buckets yet." : "No public buckets.").Raw("</td></tr>");
        page.Raw("</tbody></table></div>");
        return PageLayout.End(page);
    }
}
