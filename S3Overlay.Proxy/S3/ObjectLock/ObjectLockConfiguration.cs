using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.ObjectLock;

/// <summary>
/// A bucket's Object Lock configuration (<c>?object-lock</c>). Its existence means Object Lock is
/// enabled, which is for good, as in S3; <see cref="Rule"/> is the optional default retention.
/// </summary>
public sealed record ObjectLockConfiguration(DefaultRetention? Rule)
{
    /// <summary>Enabled, with no default retention: what CreateBucket with <c>x-amz-bucket-object-lock-enabled</c> makes.</summary>
    public static readonly ObjectLockConfiguration Enabled = new((DefaultRetention?)null);

    /// <summary>The request's <c>ObjectLockConfiguration</c>, validated as S3 validates it.</summary>
    public static ObjectLockConfiguration FromXml(XElement root)
    {
        if (root.Name.LocalName != "ObjectLockConfiguration") throw Malformed();
        if (root.ChildText("ObjectLockEnabled") != "Enabled") throw Malformed();
        if (root.Children("Rule").FirstOrDefault() is not { } rule) return Enabled;
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

    public async Task WriteXmlAsync(XmlWriter xml)
    {
        await xml.ElementAsync("ObjectLockEnabled", "Enabled");
        if (Rule is not { } rule) return;
        await xml.WriteStartElementAsync(null, "Rule", null);
        await xml.WriteStartElementAsync(null, "DefaultRetention", null);
        await xml.ElementAsync("Mode", rule.Mode);
        if (rule.Days is { } days) await xml.ElementAsync("Days", days);
        if (rule.Years is { } years) await xml.ElementAsync("Years", years);
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    /// <summary>The one-line form a store keeps: <c>Enabled</c>, or <c>Enabled GOVERNANCE Days 30</c>.</summary>
    public string ToText() => Rule is not { } rule ? "Enabled"
        : rule.Days is { } days ? $"Enabled {rule.Mode} Days {days.ToString(CultureInfo.InvariantCulture)}"
        : $"Enabled {rule.Mode} Years {rule.Years!.Value.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What <see cref="ToText"/> wrote; null for no text (Object Lock never enabled).</summary>
    public static ObjectLockConfiguration? FromText(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(' ');
        if (parts is ["Enabled"]) return Enabled;
        if (parts is ["Enabled", var mode, var unit, var number] && RetentionModes.IsValid(mode) && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return new ObjectLockConfiguration(unit == "Days" ? new DefaultRetention(mode, n, null) : new DefaultRetention(mode, null, n));
        throw new InvalidDataException($"Not an Object Lock configuration: {text}");
    }

    /// <summary>A whole number, or null when absent; anything else is not the schema's.</summary>
    private static int? Count(string? text) =>
        text is null ? null
        : int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw Malformed();

    private static S3Exception Malformed() => new(S3Error.MalformedXML);
}
