using System.Globalization;
using System.Xml;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

/// <summary>Reads CompleteMultipartUpload's body: the parts, in the order the client lists them.</summary>
internal static class CompletedPartsXml
{
    // 10,000 parts of about a hundred bytes each, with room for checksums; a bigger body is not a parts list.
    private const long MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The parts, or MalformedXML when the body is not a CompleteMultipartUpload document with at least one part.</summary>
    public static async Task<IReadOnlyList<CompletedPart>> ReadAsync(Stream body, CancellationToken ct)
    {
        var parts = new List<CompletedPart>();
        try
        {
            using var reader = XmlReader.Create(await BufferAsync(body, ct), Settings);
            reader.MoveToContent();
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "CompleteMultipartUpload") throw Malformed();
            if (reader.IsEmptyElement) throw Malformed();
            reader.Read();
            while (reader.NodeType != XmlNodeType.EndElement)
            {
                ct.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Part") parts.Add(ReadPart(reader));
                else reader.Skip();
            }
        }
        catch (XmlException e)
        {
            throw new S3Exception(S3Error.MalformedXML, inner: e);
        }
        return parts.Count > 0 ? parts : throw Malformed();
    }

    private static CompletedPart ReadPart(XmlReader reader)
    {
        int? number = null;
        string? etag = null;
        if (reader.IsEmptyElement) throw Malformed();
        reader.Read();
        while (reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType != XmlNodeType.Element) { reader.Skip(); continue; }
            switch (reader.LocalName)
            {
                case "PartNumber":
                    number = int.TryParse(reader.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                        ? n : throw Malformed();
                    break;
                case "ETag":
                    etag = Quoted((reader.ReadElementContentAsString()).Trim());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        reader.Read();
        return number is { } partNumber && etag is { Length: > 2 } tag ? new CompletedPart(partNumber, tag) : throw Malformed();
    }

    // The document is small and read whole, so a client that never ends it cannot hold a parser open.
    private static async Task<MemoryStream> BufferAsync(Stream body, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) throw Malformed();
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    // The seam's ETags are quoted as on the wire; some clients send them bare.
    private static string Quoted(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    private static S3Exception Malformed() => new(S3Error.MalformedXML);
}
