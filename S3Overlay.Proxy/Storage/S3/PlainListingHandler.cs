using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace S3Overlay.Storage.S3;

/// <summary>
/// Makes every listing the S3 store asked for with <c>encoding-type=url</c> come back encoded,
/// whether the server honoured it (S3, MinIO) or not (s3rver). A key may hold characters XML 1.0
/// cannot carry (U+0001 is written <c>&amp;#x1;</c> or raw); the SDK's reader refuses such a
/// document, so one odd key would make the whole bucket unlistable. An answer without
/// <c>&lt;EncodingType&gt;</c> is read leniently here and its names percent-encoded, as the server
/// would have, so the store decodes every listing the same way.
/// </summary>
internal sealed partial class PlainListingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>A listing page is at most 1,000 entries of at most 1 KiB names: anything far larger is left to fail as it would.</summary>
    private const int MaxRewritten = 16 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        if (request.Method != HttpMethod.Get || response.StatusCode != HttpStatusCode.OK
            || request.RequestUri?.Query.Contains("encoding-type=url", StringComparison.Ordinal) != true
            || response.Content.Headers.ContentLength > MaxRewritten)
            return response;
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var rewritten = bytes.Length <= MaxRewritten ? EncodeIfPlain(Encoding.UTF8.GetString(bytes)) : null;
        var content = new ByteArrayContent(rewritten is null ? bytes : Encoding.UTF8.GetBytes(rewritten));
        foreach (var (name, values) in response.Content.Headers)
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) content.Headers.TryAddWithoutValidation(name, values);
        response.Content = content;
        return response;
    }

    /// <returns>The listing with its names percent-encoded and <c>&lt;EncodingType&gt;url</c> said; null when it needs nothing.</returns>
    internal static string? EncodeIfPlain(string xml)
    {
        if (xml.Contains("<EncodingType>", StringComparison.Ordinal)) return null; // encoded by the server
        var root = RootStart().Match(xml);
        if (!root.Success) return null;
        var encoded = Name().Replace(xml, m => $"<{m.Groups[1].Value}>{Uri.EscapeDataString(WebUtility.HtmlDecode(m.Groups[2].Value))}</{m.Groups[1].Value}>");
        var at = RootStart().Match(encoded);
        return encoded.Insert(at.Index + at.Length, "<EncodingType>url</EncodingType>");
    }

    // The names S3 encodes under encoding-type=url (and the markers a V1 answer echoes); their
    // text holds no element, so up to the next '<' is all of it.
    [GeneratedRegex("<(Key|Prefix|StartAfter|Delimiter|Marker|NextMarker)>([^<]*)</\\1>")]
    private static partial Regex Name();

    [GeneratedRegex("<ListBucketResult[^>]*>")]
    private static partial Regex RootStart();
}
