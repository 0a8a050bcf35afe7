namespace S3Overlay.Notifications.Delivery;

/// <summary>The notification targets' figures as <c>/_overlay/status</c> shows them (and its JSON tells them).</summary>
/// <param name="RefusedWrites">Writes refused because the outbox was full.</param>
internal sealed record NotificationStatus(long OutboxBytes, long RefusedWrites, IReadOnlyList<NotificationStatus.Target> Targets)
{
    /// <param name="FailedAttempts">Attempts that failed; each was retried, so these are the retries too.</param>
    /// <param name="Redelivered">Events sent again after a restart, possibly twice (a batch a crash cut off).</param>
    /// <param name="OldestUndeliveredSeconds">How long the oldest event not yet delivered has waited; null when none waits.</param>
    public sealed record Target(string Arn, long Queued, long Delivered, long FailedAttempts, long Redelivered, double? OldestUndeliveredSeconds);

    /// <returns>Null when no target is declared.</returns>
    public static NotificationStatus? Of(NotificationOutbox? outbox, DateTimeOffset now) => outbox is null ? null : new(
        outbox.Log.Bytes, outbox.Refused,
        [.. outbox.Statistics.Values.OrderBy(s => s.Arn, StringComparer.Ordinal).Select(s => new Target(s.Arn, s.Queued, s.Delivered, s.Failed, s.Redelivered,
            s.OldestUndelivered is { } oldest ? Math.Round(Math.Max(0, (now - oldest).TotalSeconds), 1) : null))]);
}
