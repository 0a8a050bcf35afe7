using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Tagging;

/// <summary>
/// Tags as S3 takes them (an object's <c>x-amz-tagging</c> header, a <c>Tagging</c> document for
/// an object or a bucket) and gives them back, checked against S3's limits with S3's error codes.
/// </summary>
internal static class TagSet
{
    public const string Header = "x-amz-tagging";
    public const string CountHeader = "x-amz-tagging-count";
    private const int MaxKeyLength = 128;
    private const int MaxValueLength = 256;

    /// <summary>The tags of the <c>x-amz-tagging</c> header (URL-encoded <c>k=v&amp;k2=v2</c>); null when absent.</summary>
    public static IReadOnlyDictionary<string, string>? FromHeader(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var header)) return null;
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in QueryHelpers.ParseQuery(header.ToString()))
            foreach (var value in values) tags.Add(new(key, value ?? ""));
        return Checked(tags, TagRules.Object);
    }

    /// <summary>The tags of a PutObjectTagging or PutBucketTagging body: <c>&lt;Tagging&gt;&lt;TagSet&gt;&lt;Tag&gt;&lt;Key/&gt;&lt;Value/&gt;…</c>.</summary>
    public static IReadOnlyDictionary<string, string> FromXml(XElement tagging, TagRules rules)
    {
        var set = tagging.Name.LocalName == "Tagging" ? tagging.Children("TagSet").SingleOrDefault() : null;
        if (set is null) throw new S3Exception(S3Error.MalformedXML);
        var tags = set.Children("Tag")
            .Select(t => new KeyValuePair<string, string>(
                t.ChildText("Key") ?? throw new S3Exception(S3Error.MalformedXML),
                t.ChildText("Value") ?? throw new S3Exception(S3Error.MalformedXML)))
            .ToList();
        return Checked(tags, rules);
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

    /// <summary>
    /// <c>x-amz-tagging-count</c> on a GET or HEAD of a tagged object, as S3 and Ceph RGW send it
    /// (the SDKs model it on GET only). A store whose HEAD does not read the tags (an S3 local
    /// store's) leaves it off the HEAD rather than spend a request on it.
    /// </summary>
    public static void WriteCount(HttpResponse response, Storage.ObjectInfo info)
    {
        if (info.Metadata.Tags.Count > 0) response.Headers[CountHeader] = info.Metadata.Tags.Count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Tags as a bucket setting keeps them: a JSON object of keys and values.</summary>
    public static string ToText(IReadOnlyDictionary<string, string> tags) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(tags), TagSetJson.Default.DictionaryStringString);

    public static SortedDictionary<string, string> FromText(string text) =>
        new(JsonSerializer.Deserialize(text, TagSetJson.Default.DictionaryStringString) ?? [], StringComparer.Ordinal);

    private static SortedDictionary<string, string> Checked(List<KeyValuePair<string, string>> tags, TagRules rules)
    {
        if (tags.Count > rules.MaxTags) throw new S3Exception(rules.TooMany);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            // S3 names the tag it refuses: its key always, its value when the value is the fault.
            if (key.Length is 0 or > MaxKeyLength || !IsTagText(key))
                throw InvalidTag("The TagKey you have provided is invalid", key);
            if (rules.ReservedKey(key) is { } reserved)
                throw InvalidTag(reserved, key);
            if (value.Length > MaxValueLength || !IsTagText(value))
                throw InvalidTag("The TagValue you have provided is invalid", key).With("TagValue", value);
            if (!result.TryAdd(key, value))
                throw InvalidTag("Cannot provide multiple Tags with the same key", key);
        }
        return result;
    }

    private static S3Exception InvalidTag(string message, string key) => new S3Exception(S3Error.InvalidTag.WithMessage(message)).With("TagKey", key);

    /// <summary>
    /// S3's pattern for keys and values, <c>[\p{L}\p{Z}\p{N}_.:/=+\-@]*</c>: letters, separators and
    /// numbers of any script, and those seven marks. Lengths count UTF-16 code units, as S3 counts
    /// them (a character outside the Basic Multilingual Plane counts twice).
    /// </summary>
    private static bool IsTagText(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var allowed = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
                UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                _ => rune.IsAscii && "_.:/=+-@".Contains((char)rune.Value),
            };
            if (!allowed) return false;
        }
        return true;
    }
}
