using System.Globalization;
using System.Text;
using System.Xml;

namespace S3Overlay.S3.Handlers;

/// <summary>Writes the multipart responses' XML documents.</summary>
internal static class MultipartXml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false) };

    /// <summary>Writes a 200 answer whose body is the document <paramref name="root"/>.</summary>
    public static async Task WriteAsync(S3Request r, string root, Action<XmlWriter> content)
    {
        // Built in memory: these documents are at most a thousand entries, never object bytes.
        using var buffer = new MemoryStream();
        using (var x = XmlWriter.Create(buffer, Settings))
        {
            x.WriteStartDocument();
            x.WriteStartElement(root, Namespace);
            content(x);
            x.WriteEndElement();
            x.WriteEndDocument();
        }
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentType = "application/xml";
        r.Response.ContentLength = buffer.Length;
        await r.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), r.Aborted);
    }

    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Initiator and Owner: one user owns everything here.</summary>
    public static void WriteOwner(XmlWriter x, string element)
    {
        x.WriteStartElement(element);
        x.WriteElementString("ID", "s3overlay");
        x.WriteElementString("DisplayName", "s3overlay");
        x.WriteEndElement();
    }

    /// <summary>ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 from the seam's algorithm names.</summary>
    public static string ChecksumElement(string algorithm) => "Checksum" + algorithm.ToUpperInvariant();

    public static readonly Func<string, string> Plain = s => s;

    private static readonly Func<string, string> Url = s => Uri.EscapeDataString(s).Replace("%2F", "/", StringComparison.Ordinal);

    /// <summary>With <c>encoding-type=url</c>, keys and prefixes are percent-encoded so any byte survives XML.</summary>
    public static Func<string, string> UrlEncoded(HttpRequest request) =>
        request.Query["encoding-type"] == "url" ? Url : Plain;
}
