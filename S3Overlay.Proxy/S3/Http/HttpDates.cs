using System.Globalization;

namespace S3Overlay.S3.Http;

/// <summary>HTTP dates as S3 reads and writes them.</summary>
public static class HttpDates
{
    // RFC 9110 §5.6.7: the IMF-fixdate every client sends, and the two obsolete forms a recipient must accept.
    private static readonly string[] Formats =
    [
        "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",
        "ddd MMM d HH:mm:ss yyyy",
        "ddd MMM  d HH:mm:ss yyyy",
    ];

    /// <summary>RFC 1123 in GMT: <c>Sat, 21 Nov 2026 19:31:55 GMT</c>.</summary>
    public static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// An HTTP date, or an ISO 8601 one (some S3 clients send those in the copy-source conditions);
    /// null when the value is none of them, and the header is then ignored, as RFC 9110 says.
    /// </summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var http))
            return http;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso) && text.Contains('T'))
            return iso;
        return null;
    }
}
