using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Overlay.Events;

/// <summary>What a delivery of events came to: an HTTP status, and the error code or the events' outcomes.</summary>
internal sealed record InboxAnswer(int Status, string? ErrorCode, string Message, IReadOnlyList<EventOutcome> Outcomes)
{
    public static InboxAnswer Refused(int status, string code, string message) => new(status, code, message, []);
}

/// <summary>
/// Takes a delivery of the remote's events, whatever carried it: the bare <c>Records</c> (RGW's
/// and MinIO's HTTP targets, RGW's AMQP messages) or an SNS envelope (an HTTPS subscription of
/// the topic AWS S3 publishes to), checks who sent it, and applies its events in order.
/// </summary>
/// <remarks>
/// The token, when a delivery must carry one (HTTP), is compared in constant time. A delivery is
/// answered once its events are applied: a remote that retries (RGW's persistent topics, SNS)
/// sends again what failed.
/// </remarks>
/// <param name="peers">The fleet's other replicas, which every delivery taken here is passed on to; null for a proxy on its own.</param>
internal sealed class RemoteEventInbox(RemoteEventSettings settings, RemoteEventApplier applier, SnsSignatures sns,
    EventStatistics statistics, ILogger<RemoteEventInbox> logger, EventPeers? peers = null)
{
    /// <summary>Where the remote's HTTP deliveries come in (the admin room maps it), and where a replica passes them on to its peers.</summary>
    public const string Path = "/_overlay/events";

    /// <param name="presented">The token the request carried (its <c>token</c> query parameter, or its bearer token); null when it carried none.</param>
    /// <param name="authenticated">Whether the channel vouches for the sender already (the overlay's own AMQP queue): no token is asked.</param>
    /// <param name="fromPeer">Passed on by another replica of the fleet: applied here, not passed on again.</param>
    public async Task<InboxAnswer> TakeAsync(ReadOnlyMemory<byte> body, string? presented, bool authenticated, CancellationToken ct, bool fromPeer = false)
    {
        var answer = await ReadAsync(body, presented, authenticated, ct);
        if (answer.ErrorCode is not null && answer.Status is 400 or 401 or 403) statistics.CountRefused();
        // Answered once the fleet's other replicas have it too (or did not answer in time).
        if (answer.Outcomes.Contains(EventOutcome.Applied) && !fromPeer && peers is not null) await peers.PassOnAsync(body, ct);
        return answer;
    }

    private async Task<InboxAnswer> ReadAsync(ReadOnlyMemory<byte> body, string? presented, bool authenticated, CancellationToken ct)
    {
        if (presented is not null && !authenticated)
        {
            if (!Matches(presented)) return InboxAnswer.Refused(403, "AccessDenied", "The token does not match S3_OVERLAY_REMOTE_EVENTS_TOKEN.");
            authenticated = true;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return Unauthenticated(authenticated) ?? InboxAnswer.Refused(400, "InvalidArgument", $"The body is not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (SnsMessage.IsEnvelope(root)) return await FromSnsAsync(root, authenticated, ct);
            return await ApplyAsync(root, authenticated, opaqueDataCounts: true, ct);
        }
    }

    private InboxAnswer? Unauthenticated(bool authenticated) =>
        authenticated ? null : InboxAnswer.Refused(401, "AccessDenied", "Events need the token of S3_OVERLAY_REMOTE_EVENTS_TOKEN: a token query parameter, an Authorization: Bearer header, or the topic's opaque data.");

    /// <param name="opaqueDataCounts">Whether the records' opaque data may stand for the token (not inside an SNS envelope: SNS has its own signature, and the token is the subscription URL's).</param>
    private async Task<InboxAnswer> ApplyAsync(JsonElement root, bool authenticated, bool opaqueDataCounts, CancellationToken ct)
    {
        // AWS's test message when a configuration is made ({"Event":"s3:TestEvent",...}): nothing to apply.
        if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("Records", out _) && root.TryGetProperty("Event", out var test)
            && test.ValueKind == JsonValueKind.String && test.GetString() == "s3:TestEvent")
            return Unauthenticated(authenticated) ?? new InboxAnswer(200, null, "A test event: nothing to apply.", []);
        IReadOnlyList<RemoteEvent> events;
        try
        {
            events = S3EventRecords.Parse(root);
        }
        catch (FormatException e)
        {
            return Unauthenticated(authenticated) ?? InboxAnswer.Refused(400, "InvalidArgument", $"Not an S3 event notification: {e.Message}.");
        }
        if (!authenticated)
        {
            if (!opaqueDataCounts || events.Count == 0 || events.Any(e => e.OpaqueData is null or "")) return Unauthenticated(false)!;
            if (!events.All(e => Matches(e.OpaqueData!))) return InboxAnswer.Refused(403, "AccessDenied", "The opaque data does not match S3_OVERLAY_REMOTE_EVENTS_TOKEN.");
        }
        var outcomes = new List<EventOutcome>(events.Count);
        foreach (var e in events) outcomes.Add(await applier.ApplyAsync(e, ct));
        return new InboxAnswer(200, null, $"{outcomes.Count(o => o == EventOutcome.Applied)} of {outcomes.Count} events applied.", outcomes);
    }

    private async Task<InboxAnswer> FromSnsAsync(JsonElement root, bool authenticated, CancellationToken ct)
    {
        // SNS cannot send a header of the operator's: the subscription's URL carries the token.
        if (Unauthenticated(authenticated) is { } refused) return refused;
        SnsMessage message;
        try
        {
            message = SnsMessage.Read(root);
        }
        catch (FormatException e)
        {
            return InboxAnswer.Refused(400, "InvalidArgument", $"Not an SNS message: {e.Message}.");
        }
        if (await sns.CheckAsync(message, ct) is { } wrong) return InboxAnswer.Refused(403, "SignatureDoesNotMatch", $"The SNS message's signature does not hold: {wrong}.");
        switch (message.Type)
        {
            case SnsMessage.SubscriptionConfirmation:
                if (!sns.Trusts(message.SubscribeUrl!)) return InboxAnswer.Refused(403, "AccessDenied", "The SubscribeURL is not SNS's.");
                if (await sns.ConfirmAsync(message.SubscribeUrl!, ct) is { } failed) return new InboxAnswer(502, "ServiceUnavailable", failed, []);
                logger.LogInformation("Confirmed the SNS subscription to {Topic}", message.TopicArn);
                return new InboxAnswer(200, null, "Subscription confirmed.", []);
            case SnsMessage.UnsubscribeConfirmation:
                logger.LogWarning("The SNS topic {Topic} unsubscribed this overlay: its events no longer come", message.TopicArn);
                return new InboxAnswer(200, null, "Unsubscribed.", []);
        }
        try
        {
            using var inner = JsonDocument.Parse(message.Message, new JsonDocumentOptions { MaxDepth = 16 });
            return await ApplyAsync(inner.RootElement, authenticated: true, opaqueDataCounts: false, ct);
        }
        catch (JsonException e)
        {
            return InboxAnswer.Refused(400, "InvalidArgument", $"The SNS message's Message is not JSON: {e.Message}.");
        }
    }

    private bool Matches(string presented) =>
        settings.Token is { } token && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(token));
}
