using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;
using S3Overlay.Storage;

namespace S3Overlay.S3.Xml;

/// <summary>
/// The one writer of S3's XML answers: streamed into the response (a 1,000-key listing is never
/// built as a string; <see cref="BodyWriterStream"/> sends it at each flush), in S3's namespace,
/// with S3's timestamp format.
/// </summary>
internal static class S3XmlResponse
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>The settings of every XML answer, errors included (a key in an error's Resource may hold any character).</summary>
    internal static readonly XmlWriterSettings Settings = new()
    {
        Async = true,
        Encoding = new UTF8Encoding(false),
        // Keys may hold characters XML 1.0 cannot carry; S3 still answers (clients that care ask
        // for encoding-type=url), so the writer must not throw halfway through a listing.
        CheckCharacters = false,
    };

    /// <summary>Answers 200 (or <paramref name="status"/>) with the document <c>&lt;root xmlns="…"&gt;…&lt;/root&gt;</c>, whose children <paramref name="content"/> writes.</summary>
    public static Task WriteAsync(HttpResponse response, string root, Func<XmlWriter, Task>? content = null, int status = StatusCodes.Status200OK) =>
        WriteAsync(response, root, Namespace, content, status);

    /// <summary>As <see cref="WriteAsync(HttpResponse, string, Func{XmlWriter, Task}?, int)"/>, in <paramref name="xmlNamespace"/> (none when null).</summary>
    public static async Task WriteAsync(HttpResponse response, string root, string? xmlNamespace, Func<XmlWriter, Task>? content, int status)
    {
        response.StatusCode = status;
        response.ContentType = "application/xml";
        await using (var xml = XmlWriter.Create(new BodyWriterStream(response.BodyWriter), Settings))
        {
            await xml.WriteStartDocumentAsync();
            await xml.WriteStartElementAsync(null, root, xmlNamespace);
            if (content is not null) await content(xml);
            await xml.WriteEndElementAsync();
            await xml.WriteEndDocumentAsync();
        }
        await response.BodyWriter.FlushAsync();
    }

    /// <summary>Answers with a root element holding only text (GetBucketLocation's <c>LocationConstraint</c>).</summary>
    public static Task WriteTextAsync(HttpResponse response, string root, string text) =>
        WriteAsync(response, root, xml => xml.WriteStringAsync(text));

    /// <summary>S3's timestamp: UTC, milliseconds, <c>Z</c> (<c>2026-11-21T19:31:55.000Z</c>).</summary>
    /// <remarks>
    /// The round-trip format cut after the milliseconds: it is formatted by a fast path, where the
    /// same pattern spelt as a custom format is parsed for each of a listing's thousand entries.
    /// </remarks>
    public static string Timestamp(DateTimeOffset time)
    {
        Span<char> roundTrip = stackalloc char[28]; // yyyy-MM-ddTHH:mm:ss.fffffffZ (a UTC DateTime)
        time.UtcDateTime.TryFormat(roundTrip, out _, "O", CultureInfo.InvariantCulture);
        return string.Concat(roundTrip[..23], "Z");
    }

    /// <summary>Writes <c>&lt;name&gt;value&lt;/name&gt;</c> in the document's namespace.</summary>
    public static Task ElementAsync(this XmlWriter xml, string name, string value) =>
        xml.WriteElementStringAsync(null, name, null, value);

    /// <summary>Writes the element only when there is a value (S3 leaves out what was not asked for).</summary>
    public static Task OptionalElementAsync(this XmlWriter xml, string name, string? value) =>
        value is null ? Task.CompletedTask : xml.WriteElementStringAsync(null, name, null, value);

    public static Task ElementAsync(this XmlWriter xml, string name, long value) =>
        xml.WriteElementStringAsync(null, name, null, value.ToString(CultureInfo.InvariantCulture));

    public static Task ElementAsync(this XmlWriter xml, string name, bool value) =>
        xml.WriteElementStringAsync(null, name, null, value ? "true" : "false");

    public static Task ElementAsync(this XmlWriter xml, string name, DateTimeOffset value) =>
        xml.WriteElementStringAsync(null, name, null, Timestamp(value));

    /// <summary>An <c>Owner</c> (or <c>Initiator</c>) element: the root's account.</summary>
    public static Task OwnerAsync(this XmlWriter xml, string element = "Owner") => xml.OwnerAsync(S3Owner.Id, S3Owner.DisplayName, element);

    /// <summary>As <see cref="Owner"/>, for the answers written with the async methods (it only fills the pipe's buffer: nothing waits).</summary>
    public static Task OwnerAsync(this XmlWriter xml, string id, string? displayName, string element = "Owner")
    {
        xml.Owner(id, displayName, element);
        return Task.CompletedTask;
    }

    /// <summary>An <c>Owner</c> element naming a canonical id (and its display name, when the id is a known user's).</summary>
    public static void Owner(this XmlWriter xml, string id, string? displayName, string element = "Owner")
    {
        xml.WriteStartElement(null, element, null);
        xml.WriteElementString(null, "ID", null, id);
        if (displayName is not null) xml.WriteElementString(null, "DisplayName", null, displayName);
        xml.WriteEndElement();
    }

    /// <summary>
    /// A listing entry's <c>Contents</c> element (ListObjects V1 and V2), written synchronously into
    /// the pipe's buffer: the caller flushes (<see cref="EntriesPerFlush"/>).
    /// </summary>
    /// <param name="owners">Who owns each entry; null to leave owners out.</param>
    public static void Contents(this XmlWriter xml, ObjectInfo entry, string key, Acl.ListingOwners? owners)
    {
        xml.WriteStartElement(null, "Contents", null);
        xml.WriteElementString(null, "Key", null, key);
        xml.WriteElementString(null, "LastModified", null, Timestamp(entry.LastModified));
        xml.WriteElementString(null, "ETag", null, entry.ETag);
        xml.WriteElementString(null, "Size", null, entry.Size.ToString(CultureInfo.InvariantCulture));
        if (owners?.Of(entry.Metadata) is var (id, name)) xml.Owner(id, name);
        xml.WriteElementString(null, "StorageClass", null, Http.StorageClasses.Of(entry.Metadata));
        xml.WriteEndElement();
    }

    /// <summary>Entries of a listing written between two flushes: about 50 KiB of ListObjectsV2's answer, so a 1,000-key page goes out in four sends and a last one.</summary>
    public const int EntriesPerFlush = 256;
}
