using S3Overlay.Web;
namespace S3Overlay.Browser.Pages;

/// <summary>A page that only says something: not found, not allowed, sign in first.</summary>
internal static class MessagePage
{
    public static HtmlPage Render(BrowserVisitor visitor, string title, string message, IReadOnlyList<Crumb>? crumbs = null)
    {
        var page = new HtmlPage();
        PageLayout.Begin(page, title, visitor, crumbs ?? PageLayout.Trail(null));
        page.Raw("<div class=\"card\"><div class=\"empty\"><b>").Text(title).Raw("</b><br>").Text(message).Raw("</div></div>");
        return PageLayout.End(page);
    }
}
