using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;
using S3Overlay.Storage.ObjectLock;

namespace S3Overlay.S3.ObjectLock;

/// <summary>The documents of <c>?object-lock</c> (<c>ObjectLockConfiguration</c>), <c>?retention</c> (<c>Retention</c>) and <c>?legal-hold</c> (<c>LegalHold</c>).</summary>
internal static class ObjectLockXml
{
    /// <summary>The request's <c>ObjectLockConfiguration</c>, validated as S3 validates it.</summary>
    public static ObjectLockConfiguration ConfigurationFrom(XElement root)
    {
        if (root.Name.LocalName != "ObjectLockConfiguration") throw Malformed();
        if (root.ChildText("ObjectLockEnabled") != "Enabled") throw Malformed();
        if (root.Children("Rule").FirstOrDefault() is not { } rule) return ObjectLockConfiguration.Enabled;
        if (rule.Children("DefaultRetention").FirstOrDefault() is not { } retention) throw Malformed();
        var mode = retention.ChildText("Mode");
        if (!RetentionModes.IsValid(mode)) throw Malformed();
        var days = Count(retention.ChildText("Days"));
        var years = Count(retention.ChildText("Years"));
        if (days is null == years is null) throw Malformed(); // exactly one of them
        if (days is <= 0 or > DefaultRetention.MaxDays || years is <= 0 or > DefaultRetention.MaxYears)
            throw new S3Exception(S3Error.InvalidRetentionPeriod);
        return new ObjectLockConfiguration(new DefaultRetention(mode!, days, years));
    }

    public static async Task WriteConfigurationAsync(XmlWriter xml, ObjectLockConfiguration configuration)
    {
        await xml.ElementAsync("ObjectLockEnabled", "Enabled");
        if (configuration.Rule is not { } rule) return;
        await xml.WriteStartElementAsync(null, "Rule", null);
        await xml.WriteStartElementAsync(null, "DefaultRetention", null);
        await xml.ElementAsync("Mode", rule.Mode);
        if (rule.Days is { } days) await xml.ElementAsync("Days", days);
        if (rule.Years is { } years) await xml.ElementAsync("Years", years);
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    /// <summary>A retention, or null for an empty <c>Retention</c> (which removes one, where the rules allow).</summary>
    public static ObjectRetention? RetentionFrom(XElement root)
    {
        if (root.Name.LocalName != "Retention") throw Malformed();
        var mode = root.ChildText("Mode");
        var date = root.ChildText("RetainUntilDate");
        if (mode is null && date is null) return null;
        if (!RetentionModes.IsValid(mode)) throw Malformed();
        return new ObjectRetention(mode!, ObjectRetention.ParseDate(date) ?? throw Malformed());
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

    /// <summary>A whole number, or null when absent; anything else is not the schema's.</summary>
    private static int? Count(string? text) =>
        text is null ? null
        : int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw Malformed();

    private static S3Exception Malformed() => new(S3Error.MalformedXML);
}
