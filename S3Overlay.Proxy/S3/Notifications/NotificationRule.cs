namespace S3Overlay.S3.Notifications;

/// <summary>The three kinds of destination S3 has, by the element that declares them.</summary>
internal enum DestinationKind { Topic, Queue, CloudFunction }

/// <summary>
/// One configuration of a bucket's notifications (a <c>QueueConfiguration</c>, a
/// <c>TopicConfiguration</c>…): which events, of which keys, go to which destination.
/// </summary>
/// <param name="Arn">The destination as the configuration names it (<c>arn:minio:sqs::1:webhook</c>).</param>
/// <param name="Prefix">The key prefix filter; empty: every key.</param>
/// <param name="Suffix">The key suffix filter; empty: every key.</param>
internal sealed record NotificationRule(string Id, DestinationKind Kind, string Arn, IReadOnlyList<string> Events, string Prefix, string Suffix)
{
    public bool Matches(string eventName, string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) && key.EndsWith(Suffix, StringComparison.Ordinal)
        && Events.Any(configured => NotificationEventNames.Matches(configured, eventName));

    /// <summary>
    /// Whether an event could match both rules: an event type in common, and filters that a key can
    /// pass together (one prefix starts the other, one suffix ends the other). S3 refuses such a pair.
    /// </summary>
    public bool Overlaps(NotificationRule other) =>
        Events.Any(a => other.Events.Any(b => NotificationEventNames.Share(a, b)))
        && (Prefix.StartsWith(other.Prefix, StringComparison.Ordinal) || other.Prefix.StartsWith(Prefix, StringComparison.Ordinal))
        && (Suffix.EndsWith(other.Suffix, StringComparison.Ordinal) || other.Suffix.EndsWith(Suffix, StringComparison.Ordinal));
}

/// <summary>A bucket's whole notification configuration; no rules: notifications off.</summary>
internal sealed record NotificationConfiguration(IReadOnlyList<NotificationRule> Rules)
{
    public static readonly NotificationConfiguration None = new([]);

    /// <summary>
    /// The rule an event goes by; null when none takes it. At most one can: S3 refuses
    /// configurations that overlap (<see cref="NotificationRule.Overlaps"/>).
    /// </summary>
    public NotificationRule? RuleFor(string eventName, string key)
    {
        foreach (var rule in Rules)
            if (rule.Matches(eventName, key)) return rule;
        return null;
    }
}
