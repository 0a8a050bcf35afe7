using System.Xml;
using System.Xml.Linq;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3.Xml;

/// <summary>
/// Every XML document from outside (clients' requests, the stores' error bodies) is read here:
/// no DTD, no resolver, a size cap, and at most <see cref="MaxDepth"/> levels and
/// <see cref="MaxElements"/> elements, counted while reading. S3's documents are a few levels deep;
/// without the bound a body of 100,000 nested elements cost 10 s of CPU to load (500,000: minutes,
/// holding up shutdown), reachable by anyone who may send DeleteObjects.
/// </summary>
internal static class SafeXml
{
    /// <summary>AccessControlPolicy, S3's deepest document the front end reads, is five levels deep.</summary>
    public const int MaxDepth = 32;

    /// <summary>A CompleteMultipartUpload of 10,000 parts, each with its ETag and checksums, has about 60,000.</summary>
    public const int MaxElements = 100_000;

    /// <summary>The document's root; MalformedXML when it does not parse or goes past a limit.</summary>
    /// <param name="body">Read twice: counted first, loaded only when within the limits (so it must be seekable).</param>
    public static XElement Load(Stream body, long maxCharacters)
    {
        var settings = Streams.UntrustedXml.ReaderSettings(maxCharacters);
        var start = body.Position;
        try
        {
            using (var scan = XmlReader.Create(body, settings))
            {
                var elements = 0;
                while (scan.Read())
                {
                    if (scan.NodeType != XmlNodeType.Element) continue;
                    if (scan.Depth >= MaxDepth)
                        throw Malformed($"The XML you provided nests deeper than the {MaxDepth} levels allowed.");
                    if (++elements > MaxElements)
                        throw Malformed($"The XML you provided has more than the {MaxElements} elements allowed.");
                }
            }
            body.Position = start;
            using var reader = XmlReader.Create(body, settings);
            return XDocument.Load(reader).Root ?? throw new S3Exception(S3Error.MalformedXML);
        }
        catch (XmlException)
        {
            throw new S3Exception(S3Error.MalformedXML);
        }
    }

    private static S3Exception Malformed(string message) => new(S3Error.MalformedXML.WithMessage(message));
}
