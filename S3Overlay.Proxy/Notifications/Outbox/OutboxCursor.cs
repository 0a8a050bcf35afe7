using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// How far one target has read the outbox, kept in a small file beside it: what was delivered,
/// and the end of the batch being sent. A batch is marked before it is sent and the mark moves
/// past it once delivered, so after a crash the batch is sent again (at least once), and its events
/// are known, and counted, as possible duplicates.
/// </summary>
/// <remarks>
/// The marks are written over the file's first bytes in place, one write of a fixed-width record,
/// without a flush: a process killed at any moment leaves the last mark in the page cache. Each
/// batch moves both marks, so this is on every delivery's path: replacing the file by a rename,
/// as it once was, cost more CPU than sending the event (ext4 writes out a file renamed over
/// another at once), about a sixth of the proxy's CPU while it delivered as fast as PUTs came in.
/// A power cut can lose the newest mark (events are sent again) or, in a sector torn mid-write,
/// the record (it no longer reads as one: delivery starts again from the oldest event kept);
/// either way at least once holds.
/// </remarks>
internal sealed class OutboxCursor : IDisposable
{
    // Two numbers of 19 digits (a long's most), a space and a line end.
    private const int RecordBytes = 40;

    private readonly SafeFileHandle _file;
    private readonly byte[] _record = new byte[RecordBytes];

    public OutboxCursor(string folder, string target, long start)
    {
        Directory.CreateDirectory(folder);
        _file = File.OpenHandle(Path.Join(folder, target), FileMode.OpenOrCreate, FileAccess.ReadWrite);
        var kept = new byte[Math.Min(RandomAccess.GetLength(_file), 256)];
        var parts = Encoding.ASCII.GetString(kept.AsSpan(0, RandomAccess.Read(_file, kept, 0))).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Delivered = parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var done) ? Math.Max(done, start) : start;
        Sending = parts.Length == 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var sending) ? Math.Max(sending, Delivered) : Delivered;
        // A record of another width (an older server's) becomes this one's.
        if (kept.Length != RecordBytes)
        {
            Save();
            RandomAccess.SetLength(_file, RecordBytes);
        }
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
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Delivered:D19} {Sending:D19}\n"), _record);
        RandomAccess.Write(_file, _record, 0);
    }

    public void Dispose() => _file.Dispose();
}
