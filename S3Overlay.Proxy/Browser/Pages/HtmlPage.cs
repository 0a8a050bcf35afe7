using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Browser.Pages;

/// <summary>
/// One server-rendered page: a string builder whose only way to add user data is
/// <see cref="Text"/> (HTML-encoded, quotes too, so it is safe in attributes), plus the nonce
/// that lets the page's one inline script run under its Content-Security-Policy.
/// </summary>
internal sealed class HtmlPage
{
    private readonly StringBuilder _html = new(8192);

    public string Nonce { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>Markup written by this code, never user data.</summary>
    public HtmlPage Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>User data (keys, metadata, names): encoded for text and attribute values alike.</summary>
    public HtmlPage Text(string? text)
    {
        _html.Append(WebUtility.HtmlEncode(text ?? ""));
        return this;
    }

    public HtmlPage Number(long value) => Raw(value.ToString("N0", CultureInfo.InvariantCulture));

    /// <summary>A UTC time in a &lt;time&gt; element; the page's script shows it in the reader's own zone.</summary>
    public HtmlPage Time(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Raw("<time datetime=\"").Raw(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Raw("\">")
            .Raw(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Raw(" UTC</time>");
    }

    /// <summary><c>&lt;a href="url"&gt;text&lt;/a&gt;</c> with both encoded.</summary>
    public HtmlPage Link(string url, string text, string? cssClass = null)
    {
        Raw("<a href=\"").Text(url).Raw("\"");
        if (cssClass is not null) Raw(" class=\"").Raw(cssClass).Raw("\"");
        return Raw(">").Text(text).Raw("</a>");
    }

    public override string ToString() => _html.ToString();
}
