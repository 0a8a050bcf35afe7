using System.Text.Json;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Cors;

/// <summary>One rule of a bucket's CORS configuration (PutBucketCors), matched as S3 matches it.</summary>
internal sealed record CorsRule(
    string? Id,
    IReadOnlyList<string> AllowedOrigins,
    IReadOnlyList<string> AllowedMethods,
    IReadOnlyList<string> AllowedHeaders,
    IReadOnlyList<string> ExposeHeaders,
    int? MaxAgeSeconds)
{
    private const int MaxRules = 100;
    private static readonly string[] Methods = ["GET", "PUT", "HEAD", "POST", "DELETE"];

    /// <summary>
    /// S3's patterns (one <c>*</c> anywhere; <c>*</c> alone for any origin), matched against the
    /// <c>Origin</c> header's text as S3 matches them: <c>*suffix</c> matches <c>foo.suffix</c>.
    /// Nothing is gained by reading the text as a URL first: a browser, the only client CORS
    /// answers are for, sends nothing but <c>scheme://host[:port]</c>, so a value such as
    /// <c>https://evil.com/.example.org</c> comes from a client that ignores CORS anyway.
    /// </summary>
    public bool MatchesOrigin(string origin) =>
        AllowedOrigins.Any(pattern => pattern == "*" || Wildcard(pattern, origin, StringComparison.Ordinal));

    public bool AllowsMethod(string method) => AllowedMethods.Contains(method, StringComparer.Ordinal);

    /// <summary>Every header a preflight asks for must match an AllowedHeader (a <c>*</c> in it matches anything; case does not matter).</summary>
    public bool AllowsHeaders(IEnumerable<string> headers) =>
        headers.All(h => AllowedHeaders.Any(pattern => Wildcard(pattern, h, StringComparison.OrdinalIgnoreCase)));

    /// <summary>S3 allows one <c>*</c> in an origin or header pattern.</summary>
    private static bool Wildcard(string pattern, string value, StringComparison comparison)
    {
        var star = pattern.IndexOf('*');
        if (star < 0) return string.Equals(pattern, value, comparison);
        var (prefix, suffix) = (pattern[..star], pattern[(star + 1)..]);
        return value.Length >= prefix.Length + suffix.Length && value.StartsWith(prefix, comparison) && value.EndsWith(suffix, comparison);
    }

    /// <summary>The rules of a <c>CORSConfiguration</c> document, checked as S3 checks them.</summary>
    public static List<CorsRule> FromXml(XElement configuration)
    {
        if (configuration.Name.LocalName != "CORSConfiguration") throw new S3Exception(S3Error.MalformedXML);
        var rules = configuration.Children("CORSRule").Select(rule =>
        {
            var maxAge = rule.ChildText("MaxAgeSeconds");
            var parsed = new CorsRule(
                rule.ChildText("ID"),
                rule.Children("AllowedOrigin").Select(e => e.Value).ToList(),
                rule.Children("AllowedMethod").Select(e => e.Value).ToList(),
                rule.Children("AllowedHeader").Select(e => e.Value).ToList(),
                rule.Children("ExposeHeader").Select(e => e.Value).ToList(),
                maxAge is null ? null : int.TryParse(maxAge, out var seconds) && seconds >= 0 ? seconds : throw new S3Exception(S3Error.MalformedXML));
            if (parsed.AllowedOrigins.Count == 0 || parsed.AllowedMethods.Count == 0) throw new S3Exception(S3Error.MalformedXML);
            if (parsed.AllowedMethods.FirstOrDefault(m => !Methods.Contains(m)) is { } unsupported)
                throw new S3Exception(S3Error.InvalidRequest.WithMessage($"Found unsupported HTTP method in CORS config. Unsupported method is {unsupported}"));
            if (parsed.AllowedOrigins.Any(o => o.Count(c => c == '*') > 1))
                throw new S3Exception(S3Error.InvalidRequest.WithMessage("AllowedOrigin can not have more than one wildcard."));
            if (parsed.AllowedHeaders.Any(h => h.Count(c => c == '*') > 1))
                throw new S3Exception(S3Error.InvalidRequest.WithMessage("AllowedHeader can not have more than one wildcard."));
            return parsed;
        }).ToList();
        if (rules.Count is 0 or > MaxRules) throw new S3Exception(S3Error.MalformedXML);
        return rules;
    }

    public static async Task WriteXmlAsync(System.Xml.XmlWriter xml, IEnumerable<CorsRule> rules)
    {
        foreach (var rule in rules)
        {
            await xml.WriteStartElementAsync(null, "CORSRule", null);
            await xml.OptionalElementAsync("ID", rule.Id);
            foreach (var h in rule.AllowedHeaders) await xml.ElementAsync("AllowedHeader", h);
            foreach (var m in rule.AllowedMethods) await xml.ElementAsync("AllowedMethod", m);
            foreach (var o in rule.AllowedOrigins) await xml.ElementAsync("AllowedOrigin", o);
            foreach (var e in rule.ExposeHeaders) await xml.ElementAsync("ExposeHeader", e);
            if (rule.MaxAgeSeconds is { } age) await xml.ElementAsync("MaxAgeSeconds", age);
            await xml.WriteEndElementAsync();
        }
    }

    public static string ToText(IReadOnlyList<CorsRule> rules) => JsonSerializer.Serialize(rules, CorsJson.Default.IReadOnlyListCorsRule);

    public static List<CorsRule>? FromText(string? text) => text is null ? null : JsonSerializer.Deserialize(text, CorsJson.Default.ListCorsRule);
}
