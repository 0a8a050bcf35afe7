using System.Globalization;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Lifecycle;

/// <summary>
/// The <c>LifecycleConfiguration</c> document: read and checked as S3 checks it (what breaks the
/// schema is MalformedXML; a value out of range InvalidArgument; a combination S3 refuses
/// InvalidRequest, with S3's words), and written back in the shape it was given. The same text is
/// what the bucket setting keeps.
/// </summary>
internal static partial class LifecycleXml
{
    public const string Root = "LifecycleConfiguration";
    public const int MaxRules = 1000;
    public const int MaxIdLength = 255;

    private static readonly XNamespace S3 = S3XmlResponse.Namespace;

    public static LifecycleConfiguration FromXml(XElement root)
    {
        if (root.Name.LocalName != Root) throw Malformed();
        OnlyChildren(root, "Rule");
        var rules = root.Children("Rule").Select(ReadRule).ToList();
        if (rules.Count == 0) throw Malformed();
        if (rules.Count > MaxRules) throw Invalid("Lifecycle configuration allows a maximum of 1000 rules");
        if (rules.GroupBy(r => r.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
            throw Invalid("Rule ID must be unique. Found same ID for more than one rule");
        return new LifecycleConfiguration(rules);
    }

    /// <summary>The configuration a bucket setting holds (written by <see cref="ToText"/>).</summary>
    public static LifecycleConfiguration? FromText(string? text) => text is null ? null : FromXml(XElement.Parse(text));

    public static string ToText(LifecycleConfiguration configuration) => ToXml(configuration).ToString(SaveOptions.DisableFormatting);

    public static XElement ToXml(LifecycleConfiguration configuration) =>
        new(S3 + Root, configuration.Rules.Select(WriteRule));

    private static LifecycleRule ReadRule(XElement rule)
    {
        OnlyChildren(rule, "ID", "Status", "Prefix", "Filter", "Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload",
            "Transition", "NoncurrentVersionTransition");
        RefuseTransitions(rule);
        var id = Single(rule, "ID") ?? Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")[..16];
        if (id.Length > MaxIdLength) throw Invalid("ID length should not exceed allowed limit of 255");
        var enabled = Single(rule, "Status") switch
        {
            "Enabled" => true,
            "Disabled" => false,
            _ => throw Malformed(),
        };
        var filter = ReadFilter(rule);
        var expiration = Optional(rule, "Expiration", ReadExpiration);
        var noncurrent = Optional(rule, "NoncurrentVersionExpiration", ReadNoncurrent);
        var abort = Optional(rule, "AbortIncompleteMultipartUpload", e => new AbortIncompleteMultipartUpload(
            Positive(Single(e, "DaysAfterInitiation", required: true, allowed: ["DaysAfterInitiation"]), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")));
        if (expiration is null && noncurrent is null && abort is null)
            throw Refused("At least one action needs to be specified in a rule");
        if (filter.HasTags && abort is not null) throw Refused("AbortIncompleteMultipartUpload cannot be specified with Tags.");
        if (filter.HasTags && expiration?.ExpiredObjectDeleteMarker == true) throw Refused("ExpiredObjectDeleteMarker cannot be specified with Tags.");
        return new LifecycleRule(id, enabled, filter, expiration, noncurrent, abort);
    }

    private static LifecycleFilter ReadFilter(XElement rule)
    {
        var rulePrefix = rule.Children("Prefix").ToList();
        var filters = rule.Children("Filter").ToList();
        if (rulePrefix.Count + filters.Count > 1) throw Malformed();
        if (rulePrefix.Count == 1) return LifecycleFilter.Everything with { Shape = FilterShape.RulePrefix, Prefix = rulePrefix[0].Value };
        if (filters.Count == 0) return LifecycleFilter.Everything;
        var filter = filters[0];
        OnlyChildren(filter, "Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And");
        var predicates = filter.Elements().ToList();
        if (predicates.Count == 0) return LifecycleFilter.Everything with { Shape = FilterShape.Empty };
        if (predicates.Count > 1) throw Malformed();
        var shape = predicates[0].Name.LocalName == "And" ? FilterShape.And : FilterShape.Single;
        var holder = shape == FilterShape.And ? predicates[0] : filter;
        if (shape == FilterShape.And) OnlyChildren(holder, "Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan");
        var tags = holder.Children("Tag").Select(ReadTag).ToList();
        if (tags.GroupBy(t => t.Key, StringComparer.Ordinal).Any(g => g.Count() > 1)) throw Refused("Duplicate Tag Keys are not allowed.");
        var above = Size(Single(holder, "ObjectSizeGreaterThan"), "ObjectSizeGreaterThan");
        var below = Size(Single(holder, "ObjectSizeLessThan"), "ObjectSizeLessThan");
        if (above is { } a && below is { } b && a >= b)
            throw Invalid("ObjectSizeGreaterThan must be less than ObjectSizeLessThan");
        return new LifecycleFilter(shape, Single(holder, "Prefix"), tags, above, below);
    }

    private static KeyValuePair<string, string> ReadTag(XElement tag)
    {
        OnlyChildren(tag, "Key", "Value");
        var key = Single(tag, "Key", required: true)!;
        var value = Single(tag, "Value", required: true)!;
        if (key.Length is 0 or > 128 || value.Length > 256)
            throw new S3Exception(S3Error.InvalidTag.WithMessage(key.Length is 0 or > 128 ? "The TagKey you have provided is invalid" : "The TagValue you have provided is invalid"));
        return new(key, value);
    }

    private static Expiration ReadExpiration(XElement e)
    {
        OnlyChildren(e, "Days", "Date", "ExpiredObjectDeleteMarker");
        var daysText = Single(e, "Days");
        var dateText = Single(e, "Date");
        var markerText = Single(e, "ExpiredObjectDeleteMarker");
        if (daysText is not null && dateText is not null) throw Malformed();
        if (daysText is null && dateText is null && markerText is null) throw Malformed();
        bool? marker = markerText switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw Malformed(),
        };
        if (marker is not null && (daysText is not null || dateText is not null))
            throw Invalid("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.");
        int? days = daysText is null ? null : Positive(daysText, "'Days' for Expiration action must be a positive integer");
        return new Expiration(days, dateText is null ? null : Midnight(dateText), marker);
    }

    private static NoncurrentVersionExpiration ReadNoncurrent(XElement e)
    {
        OnlyChildren(e, "NoncurrentDays", "NewerNoncurrentVersions");
        var days = Positive(Single(e, "NoncurrentDays", required: true), "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
        var newerText = Single(e, "NewerNoncurrentVersions");
        int? newer = newerText is null ? null : Positive(newerText, "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer");
        if (newer > 100) throw Invalid("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must not exceed 100");
        return new NoncurrentVersionExpiration(days, newer);
    }

    /// <summary>S3's dates are ISO 8601 (<c>2027-01-01</c>, <c>2027-01-01T00:00:00Z</c>) and must fall on midnight UTC.</summary>
    private static DateTimeOffset Midnight(string text)
    {
        if (!DateTimeOffset.TryParseExact(text.Trim(), IsoDates, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            throw Malformed();
        if (date.TimeOfDay != TimeSpan.Zero) throw Invalid("'Date' must be at midnight GMT");
        return date;
    }

    private static readonly string[] IsoDates = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private static int Positive(string? text, string message)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw Malformed();
        if (n <= 0 || n > int.MaxValue) throw Invalid(message);
        return (int)n;
    }

    private static long? Size(string? text, string name)
    {
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw Malformed();
        if (n < 0) throw Invalid($"'{name}' should be a non-negative integer");
        return n;
    }

    private static T? Optional<T>(XElement rule, string name, Func<XElement, T> read) where T : class
    {
        var found = rule.Children(name).ToList();
        return found.Count switch
        {
            0 => null,
            1 => read(found[0]),
            _ => throw Malformed(),
        };
    }

    /// <summary>The text of the one child called <paramref name="name"/>; null when absent; twice is MalformedXML.</summary>
    private static string? Single(XElement parent, string name, bool required = false, string[]? allowed = null)
    {
        if (allowed is not null) OnlyChildren(parent, allowed);
        var found = parent.Children(name).ToList();
        if (found.Count > 1 || (required && found.Count == 0)) throw Malformed();
        return found.Count == 0 ? null : found[0].Value;
    }

    /// <summary>An element the schema does not have where it stands breaks it, as S3 reads it.</summary>
    private static void OnlyChildren(XElement parent, params string[] names)
    {
        foreach (var child in parent.Elements())
            if (Array.IndexOf(names, child.Name.LocalName) < 0) throw Malformed();
    }

    private static XElement WriteRule(LifecycleRule rule)
    {
        var element = new XElement(S3 + "Rule", new XElement(S3 + "ID", rule.Id));
        var f = rule.Filter;
        switch (f.Shape)
        {
            case FilterShape.RulePrefix:
                element.Add(new XElement(S3 + "Prefix", f.Prefix));
                break;
            case FilterShape.Empty:
                element.Add(new XElement(S3 + "Filter"));
                break;
            case FilterShape.Single:
                element.Add(new XElement(S3 + "Filter", Predicates(f)));
                break;
            case FilterShape.And:
                element.Add(new XElement(S3 + "Filter", new XElement(S3 + "And", Predicates(f))));
                break;
        }
        element.Add(new XElement(S3 + "Status", rule.Enabled ? "Enabled" : "Disabled"));
        if (rule.Expiration is { } e)
            element.Add(new XElement(S3 + "Expiration",
                e.Date is { } date ? new XElement(S3 + "Date", S3XmlResponse.Timestamp(date)) : null,
                e.Days is { } days ? new XElement(S3 + "Days", days) : null,
                e.ExpiredObjectDeleteMarker is { } marker ? new XElement(S3 + "ExpiredObjectDeleteMarker", marker ? "true" : "false") : null));
        if (rule.NoncurrentVersionExpiration is { } n)
            element.Add(new XElement(S3 + "NoncurrentVersionExpiration",
                new XElement(S3 + "NoncurrentDays", n.NoncurrentDays),
                n.NewerNoncurrentVersions is { } newer ? new XElement(S3 + "NewerNoncurrentVersions", newer) : null));
        if (rule.AbortIncompleteMultipartUpload is { } a)
            element.Add(new XElement(S3 + "AbortIncompleteMultipartUpload", new XElement(S3 + "DaysAfterInitiation", a.DaysAfterInitiation)));
        return element;
    }

    private static IEnumerable<XElement> Predicates(LifecycleFilter f)
    {
        if (f.Prefix is not null) yield return new XElement(S3 + "Prefix", f.Prefix);
        foreach (var (key, value) in f.Tags) yield return new XElement(S3 + "Tag", new XElement(S3 + "Key", key), new XElement(S3 + "Value", value));
        if (f.SizeGreaterThan is { } above) yield return new XElement(S3 + "ObjectSizeGreaterThan", above);
        if (f.SizeLessThan is { } below) yield return new XElement(S3 + "ObjectSizeLessThan", below);
    }

    private static S3Exception Malformed() => new(S3Error.MalformedXML);
    private static S3Exception Invalid(string message) => new(S3Error.InvalidArgument.WithMessage(message));
    private static S3Exception Refused(string message) => new(S3Error.InvalidRequest.WithMessage(message));
}
