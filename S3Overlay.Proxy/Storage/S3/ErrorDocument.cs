using System.Globalization;
using System.Xml;

namespace S3Overlay.Storage.S3;

/// <summary>
/// The fields a store reads from an S3 server's error document: its code, its message, and the
/// size an InvalidRange answer gives. Read as it streams (no tree is built, so depth costs
/// nothing), with no DTD and no resolver, and at most as many characters as the caller read.
/// </summary>
internal sealed record ErrorDocument(string? Code, string? Message, long? ActualObjectSize)
{
    /// <summary>The document's fields, or null when the body is not an error document.</summary>
    public static ErrorDocument? Read(Stream body, long maxCharacters)
    {
        var settings = Streams.UntrustedXml.ReaderSettings(maxCharacters);
        try
        {
            using var reader = XmlReader.Create(body, settings);
            if (reader.MoveToContent() != XmlNodeType.Element) return null;
            string? code = null, message = null, size = null;
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1) { reader.Read(); continue; }
                switch (reader.LocalName)
                {
                    case "Code": code = reader.ReadElementContentAsString(); break;
                    case "Message": message = reader.ReadElementContentAsString(); break;
                    case "ActualObjectSize": size = reader.ReadElementContentAsString(); break;
                    default: reader.Skip(); break;
                }
            }
            return new ErrorDocument(code, message, long.TryParse(size, CultureInfo.InvariantCulture, out var n) ? n : null);
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
