using System.Xml;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability.Fuzz;

/// <summary>What a client may rely on in any answer: an S3 XML error or a success, never a 5xx of the server's own making.</summary>
public static class S3Answer
{
    /// <summary>Null when the answer is one a client can rely on; else what is wrong with it.</summary>
    public static string? Problem(RawRequest request, RawResponse? response)
    {
        if (response is null) return "no HTTP answer";
        var text = System.Text.Encoding.UTF8.GetString(response.Body);
        if (response.Status == 500 || response.Status is >= 502 and <= 504) return $"{response.Status}: {Shorten(text)}";
        if (request.Method == "HEAD" || response.Body.Length == 0) return null;
        var xml = response.Headers.TryGetValue("Content-Type", out var type) && type.Contains("xml", StringComparison.OrdinalIgnoreCase);
        if (!xml)
            return response.Status >= 400 && !request.Target.StartsWith("/_overlay", StringComparison.Ordinal) ? $"{response.Status} without an S3 XML error: {Shorten(text)}" : null;
        try
        {
            var document = new XmlDocument { XmlResolver = null };
            document.LoadXml(text);
            if (response.Status >= 400 && (document.DocumentElement?.Name != "Error" || document.DocumentElement["Code"] is null))
                return $"{response.Status} with XML that is not an S3 error: {Shorten(text)}";
        }
        catch (XmlException e)
        {
            return $"{response.Status} with malformed XML ({e.Message}): {Shorten(text)}";
        }
        return null;
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
