using System.Globalization;

namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// How far one target has read the outbox, kept in a small file beside it: what was delivered,
/// and the end of the batch being sent. A batch is marked before it is sent and the mark moves
/// past it once delivered, so after a crash the batch is sent again (at least once), and its events
/// are known, and counted, as possible duplicates. Written by rename, without a flush: a power cut
/// that loses the newest mark only sends events again.
/// </summary>
internal sealed class OutboxCursor
{
    private readonly string _path;

    public OutboxCursor(string folder, string target, long start)
    {
        Directory.CreateDirectory(folder);
        _path = Path.Join(folder, target);
        var parts = File.Exists(_path) ? File.ReadAllText(_path).Split(' ') : [];
        Delivered = parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var done) ? Math.Max(done, start) : start;
        Sending = parts.Length == 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var sending) ? Math.Max(sending, Delivered) : Delivered;
    }

    /// <summary>Everything before this was delivered.</summary>
    public long Delivered { get; private set; }

    /// <summary>The end of the batch in flight; events before it and at or after <see cref="Delivered"/> may have reached the target already.</summary>
    public long Sending { get; private set; }

    public void MarkSending(long end)
    {
        Sending = Math.Max(end, Delivered);
        Save();
    }

    public void MarkDelivered(long end)
    {
        Delivered = end;
        Sending = Math.Max(Sending, end);
        Save();
    }

    private void Save()
    {
        var temp = _path + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"{Delivered} {Sending}"));
        File.Move(temp, _path, overwrite: true);
    }
}
