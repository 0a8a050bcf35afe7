using System.Text;
using System.Xml.Linq;
using S3Overlay.S3.Errors;
using S3Overlay.S3.Xml;

namespace S3Overlay.S3.Notifications;

/// <summary>
/// The <c>NotificationConfiguration</c> document, read and checked as S3 checks it (what breaks
/// the schema is MalformedXML; an unknown event, filter or destination, and overlapping
/// configurations, are InvalidArgument with S3's words), and written back. The same text is what
/// the bucket setting keeps.
/// </summary>
internal static class NotificationXml
{
    public const string Root = "NotificationConfiguration";

    /// <summary>S3's limit on a filter rule's value, in UTF-8 bytes.</summary>
    private const int MaxFilterValueBytes = 1024;

    private static readonly XNamespace S3 = S3XmlResponse.Namespace;

    private static readonly (string Element, string Destination, DestinationKind Kind)[] Kinds =
    [
        ("TopicConfiguration", "Topic", DestinationKind.Topic),
        ("QueueConfiguration", "Queue", DestinationKind.Queue),
        ("CloudFunctionConfiguration", "CloudFunction", DestinationKind.CloudFunction),
    ];

    /// <param name="destination">The canonical ARN of a declared target, or null when the ARN names none.</param>
    public static NotificationConfiguration FromXml(XElement root, Func<string, string?> destination)
    {
        if (root.Name.LocalName != Root) throw Malformed();
        var rules = new List<NotificationRule>();
        foreach (var element in root.Elements())
        {
            var name = element.Name.LocalName;
            if (name == "EventBridgeConfiguration") throw Invalid("EventBridge is not a destination of this server.");
            var kind = Kinds.FirstOrDefault(k => k.Element == name);
            if (kind.Element is null) throw Malformed();
            rules.Add(ReadRule(element, kind.Destination, kind.Kind, destination));
        }
        if (rules.GroupBy(r => r.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
            throw Invalid("Same ID used for multiple configurations. IDs must be unique.");
        for (var i = 0; i < rules.Count; i++)
            for (var j = i + 1; j < rules.Count; j++)
                if (rules[i].Overlaps(rules[j]))
                    throw Invalid("Configurations overlap. Configurations on the same bucket cannot share a common event type.");
        return new NotificationConfiguration(rules);
    }

    public static NotificationConfiguration FromText(string? text) =>
        text is null ? NotificationConfiguration.None : FromXml(XElement.Parse(text), arn => arn);

    public static string ToText(NotificationConfiguration configuration) => ToXml(configuration).ToString(SaveOptions.DisableFormatting);

    public static XElement ToXml(NotificationConfiguration configuration) =>
        new(S3 + Root, configuration.Rules.Select(WriteRule));

    private static NotificationRule ReadRule(XElement element, string destinationElement, DestinationKind kind, Func<string, string?> destination)
    {
        foreach (var child in element.Elements())
            if (child.Name.LocalName is not ("Id" or "Event" or "Filter") && child.Name.LocalName != destinationElement) throw Malformed();
        var id = Single(element, "Id") ?? Guid.NewGuid().ToString("N");
        var arn = Single(element, destinationElement) ?? throw Malformed();
        var events = element.Children("Event").Select(e => e.Value.Trim()).ToList();
        if (events.Count == 0) throw Malformed();
        foreach (var name in events)
            if (!NotificationEventNames.Known.Contains(name)) throw Invalid("The event is not supported for notifications").With("ArgumentName", "Event").With("ArgumentValue", name);
        var (prefix, suffix) = ReadFilter(element);
        var known = destination(arn) ?? throw Invalid("A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.")
            .With("ArgumentName", destinationElement).With("ArgumentValue", arn);
        return new NotificationRule(id, kind, known, events, prefix, suffix);
    }

    private static (string Prefix, string Suffix) ReadFilter(XElement element)
    {
        var filters = element.Children("Filter").ToList();
        if (filters.Count == 0) return ("", "");
        if (filters.Count > 1) throw Malformed();
        string? prefix = null, suffix = null;
        foreach (var key in filters[0].Elements())
        {
            if (key.Name.LocalName != "S3Key") throw Malformed();
            foreach (var rule in key.Elements())
            {
                if (rule.Name.LocalName != "FilterRule") throw Malformed();
                var name = Single(rule, "Name") ?? throw Malformed();
                var value = Single(rule, "Value") ?? "";
                if (Encoding.UTF8.GetByteCount(value) > MaxFilterValueBytes)
                    throw Invalid("Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation");
                switch (name.ToLowerInvariant())
                {
                    case "prefix" when prefix is null: prefix = value; break;
                    case "prefix": throw Invalid("Cannot specify more than one prefix rule in a filter.");
                    case "suffix" when suffix is null: suffix = value; break;
                    case "suffix": throw Invalid("Cannot specify more than one suffix rule in a filter.");
                    default: throw Invalid("filter rule name must be either prefix or suffix");
                }
            }
        }
        return (prefix ?? "", suffix ?? "");
    }

    private static XElement WriteRule(NotificationRule rule)
    {
        var (element, destination, _) = Kinds.First(k => k.Kind == rule.Kind);
        var written = new XElement(S3 + element, new XElement(S3 + "Id", rule.Id), new XElement(S3 + destination, rule.Arn),
            rule.Events.Select(e => new XElement(S3 + "Event", e)));
        if (rule.Prefix.Length > 0 || rule.Suffix.Length > 0)
        {
            var key = new XElement(S3 + "S3Key");
            if (rule.Prefix.Length > 0) key.Add(FilterRule("prefix", rule.Prefix));
            if (rule.Suffix.Length > 0) key.Add(FilterRule("suffix", rule.Suffix));
            written.Add(new XElement(S3 + "Filter", key));
        }
        return written;
    }

    private static XElement FilterRule(string name, string value) =>
        new(S3 + "FilterRule", new XElement(S3 + "Name", name), new XElement(S3 + "Value", value));

    private static string? Single(XElement parent, string name)
    {
        var found = parent.Children(name).ToList();
        return found.Count switch
        {
            0 => null,
            1 => found[0].Value.Trim(),
            _ => throw Malformed(),
        };
    }

    private static S3Exception Malformed() => new(S3Error.MalformedXML);

    private static S3Exception Invalid(string message) => new(S3Error.InvalidArgument.WithMessage(message));
}
