using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Notifications.Outbox;
using S3Overlay.Notifications.Targets;
using S3Overlay.Telemetry;

namespace S3Overlay.Notifications.Delivery;

/// <summary>
/// Delivers one target's events in batches of those kept next to each other. Within a batch each
/// key's events go in the order they were kept, one at a time, each retried with growing waits
/// until the target takes it; different keys go side by side, up to the target's
/// <see cref="INotificationTarget.InFlight"/>, so a target a round trip away takes as many events a
/// second as the server writes (one at a time, a round trip each, capped a webhook at 1,300 a second
/// and an AMQP broker at 1,000 while 4 KiB PUTs ran at 1,400). A batch is marked in the target's
/// cursor before it is sent and past it once all of it is delivered (<see cref="OutboxCursor"/>).
/// </summary>
internal sealed class TargetDelivery(INotificationTarget target, NotificationOutbox outbox, TimeSpan maxDelay, ILogger logger) : IDisposable
{
    private const int BatchSize = 256;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    private readonly TargetStatistics _statistics = outbox.Statistics[target.Arn];
    private OutboxCursor? _cursor;

    /// <summary>Reads the target's cursor and counts what waits for it; before any write can add to it.</summary>
    public void Open()
    {
        _cursor = new OutboxCursor(outbox.CursorFolder, FileName(target.Arn), outbox.Log.Start);
        var open = new Dictionary<long, SafeFileHandle>();
        try
        {
            long waiting = 0;
            var position = _cursor.Delivered;
            while (outbox.Log.Read(ref position, open) is { } payload)
                if (NotificationOutbox.Parse(payload, 0, 0)?.Arn == target.Arn) waiting++;
            _statistics.Found(waiting);
        }
        finally
        {
            foreach (var file in open.Values) file.Dispose();
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var cursor = _cursor ?? throw new InvalidOperationException("Open the delivery first.");
        // Events before this were in a batch a crash interrupted: they may have arrived already.
        var maybeSent = cursor.Sending;
        var position = cursor.Delivered;
        var open = new Dictionary<long, SafeFileHandle>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = new List<OutboxEvent>();
                var end = position;
                while (batch.Count < BatchSize)
                {
                    var at = end;
                    if (outbox.Log.Read(ref end, open) is not { } payload) break;
                    if (NotificationOutbox.Parse(payload, at, end) is { } e && e.Arn == target.Arn) batch.Add(e);
                }
                if (batch.Count > 0)
                {
                    cursor.MarkSending(end);
                    // The batch's first event is its oldest: it waits until the whole batch is delivered.
                    _statistics.Waiting(batch[0].Time);
                    await Parallel.ForEachAsync(batch.GroupBy(e => e.Key), new ParallelOptions { MaxDegreeOfParallelism = target.InFlight, CancellationToken = stop },
                        async (key, ct) =>
                        {
                            foreach (var e in key)
                            {
                                await SendAsync(e, ct);
                                _statistics.Succeeded(again: e.Position < maybeSent);
                            }
                        });
                    _statistics.Waiting(null);
                }
                if (end != position)
                {
                    position = end;
                    cursor.MarkDelivered(end);
                    outbox.ReadUpTo(target.Arn, end);
                }
                if (batch.Count == 0) await outbox.Log.WaitPastAsync(position, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var file in open.Values) file.Dispose();
        }
    }

    /// <summary>Sends until the target takes the event (or the server stops: the event stays kept for the next start).</summary>
    private async Task SendAsync(OutboxEvent e, CancellationToken stop)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var span = OverlayTelemetry.Source.StartActivity("notify.deliver", ActivityKind.Producer);
            span?.SetTag("notify.target", target.Arn);
            span?.SetTag("notify.event", e.Name);
            span?.SetTag("s3.key", e.Key);
            span?.SetTag("notify.attempt", attempt);
            try
            {
                await target.SendAsync(e, stop);
                if (attempt > 1) logger.LogInformation("Notification target {Target} took an event again after {Attempts} attempts", target.Arn, attempt);
                return;
            }
            catch (Exception failure) when (!stop.IsCancellationRequested)
            {
                span?.SetStatus(ActivityStatusCode.Error, failure.Message);
                _statistics.Attempted();
                if (attempt == 1 || attempt % 20 == 0)
                    logger.LogWarning("Notification target {Target} did not take an event ({Error}); attempt {Attempt}, retrying in {Delay} ms",
                        target.Arn, failure.Message, attempt, (int)delay.TotalMilliseconds);
            }
            await Task.Delay(Jittered(delay), stop);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxDelay.Ticks));
        }
    }

    public void Dispose() => _cursor?.Dispose();

    /// <summary>Between 80 % and 100 % of the wait, so replicas whose target came back do not all retry at once.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.8 + Random.Shared.NextDouble() * 0.2);

    /// <summary><c>arn:minio:sqs::1:webhook</c> → <c>webhook-1</c>: a file name for the target's cursor.</summary>
    private static string FileName(string arn)
    {
        var parts = arn.Split(':');
        var name = parts[^1] + "-" + parts[^2];
        return string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
    }
}
