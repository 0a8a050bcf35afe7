using System.Globalization;
using System.Net;
using System.Xml;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The fields a store reads from a ListObjectsV2 answer (<c>ListBucketResult</c>): each object's
/// key, size, ETag and Last-Modified, the common prefixes, and whether more follow. Names are
/// decoded when the answer says <c>EncodingType</c> url (<see cref="PlainListingHandler"/> sees
/// that every answer does). Read as it streams, as <see cref="ErrorDocument"/> is: the SDK's
/// reader spent 42 % of an overlay's CPU on a merged page (perf over bench/listing_merged.py, 28
/// Nov), most of it in its generic unmarshalling and date parsing.
/// </summary>
internal sealed record ListingDocument(IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes, bool IsTruncated)
{
    // A page is at most 1,000 entries of names up to 1 KiB, percent-encoded (three characters a byte).
    private const long MaxCharacters = 16 * 1024 * 1024;

    /// <exception cref="XmlException">The body is no listing.</exception>
    public static ListingDocument Read(Stream body)
    {
        using var reader = XmlReader.Create(body, Streams.UntrustedXml.ReaderSettings(MaxCharacters));
        if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "ListBucketResult")
            throw new XmlException($"a listing's answer is a ListBucketResult, not {reader.LocalName}");
        // EncodingType is written before the entries by S3, MinIO and RGW, but XML does not promise
        // it: names are kept as sent and decoded at the end.
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        bool truncated = false, encoded = false;
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element) { reader.Read(); continue; }
            switch (reader.LocalName)
            {
                case "Contents": objects.Add(ReadContents(reader)); break;
                case "CommonPrefixes": prefixes.Add(ReadPrefix(reader)); break;
                case "IsTruncated": truncated = reader.ReadElementContentAsString().Trim() == "true"; break;
                case "EncodingType": encoded = reader.ReadElementContentAsString().Trim() == "url"; break;
                default: reader.Skip(); break;
            }
        }
        if (!encoded) return new ListingDocument(objects, prefixes, truncated);
        return new ListingDocument(
            objects.Select(o => o with { Key = WebUtility.UrlDecode(o.Key) }).ToList(),
            prefixes.Select(WebUtility.UrlDecode).ToList()!,
            truncated);
    }

    /// <summary>A listed object: what ListObjectsV2 tells of it (no user metadata).</summary>
    private static ObjectInfo ReadContents(XmlReader reader)
    {
        string? key = null, etag = null;
        long size = 0;
        var lastModified = DateTimeOffset.UnixEpoch;
        ReadChildren(reader, child =>
        {
            switch (child.LocalName)
            {
                case "Key": key = child.ReadElementContentAsString(); break;
                case "ETag": etag = child.ReadElementContentAsString(); break;
                case "Size": size = long.Parse(child.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "LastModified": lastModified = ParseTime(child.ReadElementContentAsString()); break;
                default: child.Skip(); break;
            }
        });
        return new ObjectInfo(key ?? throw new XmlException("a listed object without a key"), size, etag ?? "", lastModified, ObjectMetadata.Empty);
    }

    private static string ReadPrefix(XmlReader reader)
    {
        string? prefix = null;
        ReadChildren(reader, child =>
        {
            if (child.LocalName == "Prefix") prefix = child.ReadElementContentAsString();
            else child.Skip();
        });
        return prefix ?? throw new XmlException("a common prefix without its prefix");
    }

    /// <summary>
    /// Hands each child element of the element the reader is on to <paramref name="read"/>, which
    /// reads or skips it whole, then moves past the element's end (or the empty element itself).
    /// </summary>
    private static void ReadChildren(XmlReader reader, Action<XmlReader> read)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element) read(reader);
            else reader.Read();
        }
        reader.Read(); // the end tag
    }

    /// <summary>
    /// An xs:dateTime as servers write it (<c>2026-11-28T22:31:07.000Z</c>, with or without the
    /// fraction): XML's own reader of it, several times quicker than DateTimeOffset.Parse's guessing.
    /// </summary>
    private static DateTimeOffset ParseTime(string text) => XmlConvert.ToDateTimeOffset(text.Trim()).ToUniversalTime();
}
