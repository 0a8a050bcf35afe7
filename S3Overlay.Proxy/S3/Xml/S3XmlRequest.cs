using System.Buffers;
using System.Security.Cryptography;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Http;

namespace S3Overlay.S3.Xml;

/// <summary>
/// Reads the small XML documents clients send (DeleteObjects, CompleteMultipartUpload): size-capped,
/// read with <see cref="SafeXml"/>'s limits, Content-MD5 verified when the client sent one.
/// Anything that does not parse is MalformedXML.
/// </summary>
internal static class S3XmlRequest
{
    /// <summary>Enough for 1,000 keys of 1,024 bytes each, escaped, with room to spare.</summary>
    public const int DefaultMaxBytes = 4 * 1024 * 1024;

    public static async Task<XElement> ReadAsync(S3Request request, int maxBytes = DefaultMaxBytes)
    {
        using var body = await ReadSmallBodyAsync(request, maxBytes,
            () => new S3Exception(S3Error.MalformedXML.WithMessage($"The XML you provided was larger than the maximum of {maxBytes} bytes allowed.")));
        return Parse(body, maxBytes);
    }

    /// <summary>A small request document (XML, a JSON policy) read whole, capped, its Content-MD5 verified when sent.</summary>
    public static async Task<MemoryStream> ReadSmallBodyAsync(S3Request request, int maxBytes, Func<S3Exception> tooLarge)
    {
        var expectedMd5 = ObjectHeaders.ContentMD5(request.Request);
        var body = await ReadCappedAsync(request.Body, maxBytes, tooLarge, request.Aborted);
        if (expectedMd5 is not null && Convert.ToBase64String(MD5.HashData(body.GetBuffer().AsSpan(0, (int)body.Length))) != expectedMd5)
            throw new S3Exception(S3Error.BadDigest);
        return body;
    }

    /// <summary>A small document already in hand (a form field), parsed as safely as a request body.</summary>
    public static XElement Parse(Stream body, int maxBytes) => SafeXml.Load(body, maxBytes);

    /// <summary>The child elements called <paramref name="name"/>, with or without S3's namespace.</summary>
    public static IEnumerable<XElement> Children(this XElement parent, string name) =>
        parent.Elements().Where(e => e.Name.LocalName == name);

    /// <summary>The text of the first child called <paramref name="name"/>, or null.</summary>
    public static string? ChildText(this XElement parent, string name) =>
        parent.Children(name).FirstOrDefault()?.Value;

    // Request documents are a few KiB to a few MiB and must be whole to be parsed and hashed;
    // the cap keeps a client from making us hold more.
    private static async Task<MemoryStream> ReadCappedAsync(Stream source, int maxBytes, Func<S3Exception> tooLarge, CancellationToken ct)
    {
        var result = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                if (result.Length + n > maxBytes) throw tooLarge();
                result.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        result.Position = 0;
        return result;
    }
}
