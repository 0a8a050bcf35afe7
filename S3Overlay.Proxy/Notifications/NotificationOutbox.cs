using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using S3Overlay.Notifications.Delivery;
using S3Overlay.Notifications.Outbox;
using S3Overlay.S3.Notifications;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Notifications;

/// <summary>
/// The events raised and not yet delivered: the outbox log under the data folder
/// (<c>.s3overlay/notify/</c>, beside the embedded store's data; with an S3 local store, the
/// replica's own data folder, since each replica delivers the events of the writes it answered),
/// each target's figures, and how far each target has read.
/// </summary>
internal sealed class NotificationOutbox : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _read = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly string _region;
    private readonly long _limit;
    private long _refused;
    private int _full;
    // The end of the last event kept soon, and whether a flush of them is running (1) or not (0).
    private long _soonThrough;
    private int _flushingSoon;

    public NotificationOutbox(string dataDir, string region, long limit, IEnumerable<string> arns, ILogger<NotificationOutbox> logger)
    {
        var folder = Path.Join(dataDir, StoreLayout.ReservedName, "notify");
        // Segments of a sixteenth of the bound (at most 64 MiB): what was delivered is deleted a
        // segment at a time, so the outbox's size tracks what is undelivered within that much.
        Log = new OutboxLog(Path.Join(folder, "outbox"), Math.Clamp(limit / 16, 1024, 64 << 20));
        CursorFolder = Path.Join(folder, "cursors");
        _region = region;
        _limit = limit;
        _logger = logger;
        Statistics = arns.ToDictionary(a => a, a => new TargetStatistics(a), StringComparer.Ordinal);
    }

    public OutboxLog Log { get; }

    public string CursorFolder { get; }

    public IReadOnlyDictionary<string, TargetStatistics> Statistics { get; }

    /// <summary>Writes refused because the outbox was full.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Whether a write that raises an event may go ahead: not while the outbox is full. A refusal is
    /// counted, and logged when the outbox becomes full (and again when it has room).
    /// </summary>
    public bool HasRoom()
    {
        var full = Log.Bytes >= _limit;
        if (Interlocked.Exchange(ref _full, full ? 1 : 0) != (full ? 1 : 0))
        {
            if (full) _logger.LogWarning("The notification outbox is full ({Bytes} bytes, S3_OVERLAY_NOTIFY_OUTBOX_LIMIT): writes that raise events are refused with 503 SlowDown until targets catch up", Log.Bytes);
            else _logger.LogWarning("The notification outbox has room again: writes that raise events go ahead");
        }
        if (full) Interlocked.Increment(ref _refused);
        return !full;
    }

    /// <summary>Keeps the event for the rule's target, on disk, and returns once it is there.</summary>
    public Task KeepAsync(WriteEvent e, NotificationRule rule, DateTimeOffset time) => Log.FlushThroughAsync(Append(e, rule, time));

    /// <summary>
    /// Keeps the event without waiting for the disk: appended before this returns (a killed process
    /// loses nothing the kernel holds), flushed in the background. For reads' access events, which
    /// tell of no change: a read does not wait for a flush, and a power cut may lose the last of them.
    /// </summary>
    public void KeepSoon(WriteEvent e, NotificationRule rule, DateTimeOffset time)
    {
        var end = Append(e, rule, time);
        for (var through = Volatile.Read(ref _soonThrough); through < end; through = Volatile.Read(ref _soonThrough))
            if (Interlocked.CompareExchange(ref _soonThrough, end, through) == through) break;
        if (Interlocked.CompareExchange(ref _flushingSoon, 1, 0) == 0) _ = FlushSoonAsync();
    }

    /// <summary>Appends the event's record to the log, counted as queued for its target; the end of its frame.</summary>
    private long Append(WriteEvent e, NotificationRule rule, DateTimeOffset time)
    {
        var end = Log.Append(sequencer => EventRecord.Payload(e, rule.Arn, rule.Id, _region, time, sequencer));
        if (Statistics.TryGetValue(rule.Arn, out var statistics)) statistics.Enqueued();
        return end;
    }

    /// <summary>
    /// Flushes the events kept soon, one flush at a time, each covering all appended before it
    /// began, until none waits: reads at thousands a second start a flush now and then, not a task each.
    /// </summary>
    private async Task FlushSoonAsync()
    {
        await Task.Yield(); // off the read's own path
        do
        {
            try
            {
                while (Log.DurableEnd < Volatile.Read(ref _soonThrough)) await Log.FlushThroughAsync(Volatile.Read(ref _soonThrough));
            }
            catch (Exception failure)
            {
                _logger.LogError(failure, "The notification outbox could not be flushed");
                Interlocked.Exchange(ref _flushingSoon, 0); // the next event kept tries again
                return;
            }
            Interlocked.Exchange(ref _flushingSoon, 0); // a fence: an event kept before this is seen below
        }
        while (Log.DurableEnd < Volatile.Read(ref _soonThrough) && Interlocked.CompareExchange(ref _flushingSoon, 1, 0) == 0);
    }

    /// <summary>A target has read up to <paramref name="position"/>: segments every target has read past go.</summary>
    public void ReadUpTo(string arn, long position)
    {
        _read[arn] = position;
        if (_read.Count == Statistics.Count) Log.Release(_read.Values.Min());
    }

    /// <summary>An event as a payload kept it; null for a payload that is not one (never written by this server).</summary>
    public static OutboxEvent? Parse(byte[] payload, long position, long next)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            return new OutboxEvent(position, next, root.GetProperty("arn").GetString()!, root.GetProperty("name").GetString()!,
                root.GetProperty("key").GetString()!, DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("ms").GetInt64()),
                root.GetProperty("record").GetRawText());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Dispose() => Log.Dispose();
}
