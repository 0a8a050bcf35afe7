using System.Xml;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.ObjectLock;

/// <summary>The <c>Retention</c> and <c>LegalHold</c> documents of <c>?retention</c> and <c>?legal-hold</c>.</summary>
public static class ObjectLockXml
{
    /// <summary>A retention, or null for an empty <c>Retention</c> (which removes one, where the rules allow).</summary>
    public static ObjectRetention? RetentionFrom(XElement root)
    {
        if (root.Name.LocalName != "Retention") throw Malformed();
        var mode = root.ChildText("Mode");
        var date = root.ChildText("RetainUntilDate");
        if (mode is null && date is null) return null;
        if (!RetentionModes.IsValid(mode)) throw Malformed();
        return new ObjectRetention(mode!, ObjectLockHeaders.ParseDate(date) ?? throw Malformed());
    }

    public static bool LegalHoldFrom(XElement root)
    {
        if (root.Name.LocalName != "LegalHold") throw Malformed();
        return root.ChildText("Status") switch
        {
            "ON" => true,
            "OFF" => false,
            _ => throw Malformed(),
        };
    }

    public static async Task WriteRetentionAsync(XmlWriter xml, ObjectRetention retention)
    {
        await xml.ElementAsync("Mode", retention.Mode);
        await xml.ElementAsync("RetainUntilDate", retention.RetainUntil);
    }

    private static S3Exception Malformed() => new(S3Error.MalformedXML);
}
