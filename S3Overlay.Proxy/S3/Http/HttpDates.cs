using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace S3Overlay.S3.Http;

/// <summary>HTTP dates as S3 reads and writes them.</summary>
internal static class HttpDates
{
    /// <summary>RFC 1123 in GMT: <c>Sat, 21 Nov 2026 19:31:55 GMT</c>.</summary>
    public static string Format(DateTimeOffset time) => HeaderUtilities.FormatDate(time);

    /// <summary>
    /// An HTTP date (RFC 9110 §5.6.7: the IMF-fixdate, and the two obsolete forms a recipient must
    /// accept), or an ISO 8601 one (some S3 clients send those in the copy-source conditions);
    /// null when the value is none of them, and the header is then ignored, as RFC 9110 says.
    /// </summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (HeaderUtilities.TryParseDate(text, out var http)) return http;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso) && text.Contains('T'))
            return iso;
        return null;
    }
}
