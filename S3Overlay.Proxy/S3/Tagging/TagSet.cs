using System.Xml;
using Microsoft.AspNetCore.Http;
using System.Xml.Linq;
using Microsoft.AspNetCore.WebUtilities;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Tagging;

/// <summary>
/// An object's tags as S3 takes them (the <c>x-amz-tagging</c> header, a <c>Tagging</c> document)
/// and gives them back, checked against S3's limits with S3's error codes.
/// </summary>
public static class TagSet
{
    public const string Header = "x-amz-tagging";
    public const string CountHeader = "x-amz-tagging-count";
    private const int MaxTags = 10;
    private const int MaxKeyLength = 128;
    private const int MaxValueLength = 256;

    /// <summary>The tags of the <c>x-amz-tagging</c> header (URL-encoded <c>k=v&amp;k2=v2</c>); null when absent.</summary>
    public static IReadOnlyDictionary<string, string>? FromHeader(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var header)) return null;
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in QueryHelpers.ParseQuery(header.ToString()))
            foreach (var value in values) tags.Add(new(key, value ?? ""));
        return Checked(tags);
    }

    /// <summary>The tags of a PutObjectTagging body: <c>&lt;Tagging&gt;&lt;TagSet&gt;&lt;Tag&gt;&lt;Key/&gt;&lt;Value/&gt;…</c>.</summary>
    public static IReadOnlyDictionary<string, string> FromXml(XElement tagging)
    {
        var set = tagging.Name.LocalName == "Tagging" ? tagging.Children("TagSet").SingleOrDefault() : null;
        if (set is null) throw new S3Exception(S3Error.MalformedXML);
        var tags = set.Children("Tag")
            .Select(t => new KeyValuePair<string, string>(
                t.ChildText("Key") ?? throw new S3Exception(S3Error.MalformedXML),
                t.ChildText("Value") ?? throw new S3Exception(S3Error.MalformedXML)))
            .ToList();
        return Checked(tags);
    }

    public static async Task WriteXmlAsync(XmlWriter xml, IReadOnlyDictionary<string, string> tags)
    {
        await xml.WriteStartElementAsync(null, "TagSet", null);
        foreach (var (key, value) in tags)
        {
            await xml.WriteStartElementAsync(null, "Tag", null);
            await xml.ElementAsync("Key", key);
            await xml.ElementAsync("Value", value);
            await xml.WriteEndElementAsync();
        }
        await xml.WriteEndElementAsync();
    }

    private static SortedDictionary<string, string> Checked(List<KeyValuePair<string, string>> tags)
    {
        if (tags.Count > MaxTags) throw new S3Exception(S3Error.BadRequest.WithMessage("Object tags cannot be greater than 10"));
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxKeyLength || !IsTagText(key))
                throw new S3Exception(S3Error.InvalidTag.WithMessage("The TagKey you have provided is invalid"));
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new S3Exception(S3Error.InvalidTag.WithMessage("Your TagKey cannot be prefixed with aws:"));
            if (value.Length > MaxValueLength || !IsTagText(value))
                throw new S3Exception(S3Error.InvalidTag.WithMessage("The TagValue you have provided is invalid"));
            if (!result.TryAdd(key, value))
                throw new S3Exception(S3Error.InvalidTag.WithMessage("Cannot provide multiple Tags with the same key"));
        }
        return result;
    }

    /// <summary>S3 allows letters, digits, white space and <c>+ - = . _ : / @</c> in tag keys and values.</summary>
    private static bool IsTagText(string text) =>
        text.All(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || "+-=._:/@".Contains(c));
}
