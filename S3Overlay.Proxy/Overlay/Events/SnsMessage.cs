using System.Text;
using System.Text.Json;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// An Amazon SNS message as an HTTP(S) subscription receives it: a <c>Notification</c> (the S3
/// event's <c>Records</c> as text in <c>Message</c>), a <c>SubscriptionConfirmation</c> (visit
/// <c>SubscribeURL</c> to confirm) or an <c>UnsubscribeConfirmation</c>; signed by SNS over the
/// fields AWS lists for its type (<see cref="StringToSign"/>).
/// </summary>
internal sealed record SnsMessage(string Type, string MessageId, string TopicArn, string Message, string? Subject, string Timestamp,
    string SignatureVersion, string Signature, string SigningCertUrl, string? SubscribeUrl, string? Token)
{
    public const string Notification = "Notification";
    public const string SubscriptionConfirmation = "SubscriptionConfirmation";
    public const string UnsubscribeConfirmation = "UnsubscribeConfirmation";

    /// <summary>Whether <paramref name="root"/> is an SNS envelope (it has a <c>Type</c> and a <c>Signature</c>), not bare <c>Records</c>.</summary>
    public static bool IsEnvelope(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Type", out _) && root.TryGetProperty("Signature", out _);

    public static SnsMessage Read(JsonElement root)
    {
        string Required(string name) => Text(root, name) ?? throw new FormatException($"the SNS message has no {name}");
        var type = Required("Type");
        if (type is not (Notification or SubscriptionConfirmation or UnsubscribeConfirmation)) throw new FormatException($"unknown SNS message type {type}");
        var confirmation = type != Notification;
        return new SnsMessage(type, Required("MessageId"), Required("TopicArn"), Required("Message"), Text(root, "Subject"), Required("Timestamp"),
            Required("SignatureVersion"), Required("Signature"), Required("SigningCertURL"),
            confirmation ? Required("SubscribeURL") : null, confirmation ? Required("Token") : null);
    }

    /// <summary>The text SNS signs, as AWS documents it: each field's name and value on lines of their own, in this order.</summary>
    public string StringToSign()
    {
        var text = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null) text.Append(name).Append('\n').Append(value).Append('\n');
        }
        Add("Message", Message);
        Add("MessageId", MessageId);
        if (Type == Notification)
        {
            Add("Subject", Subject);
            Add("Timestamp", Timestamp);
        }
        else
        {
            Add("SubscribeURL", SubscribeUrl);
            Add("Timestamp", Timestamp);
            Add("Token", Token);
        }
        Add("TopicArn", TopicArn);
        Add("Type", Type);
        return text.ToString();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
