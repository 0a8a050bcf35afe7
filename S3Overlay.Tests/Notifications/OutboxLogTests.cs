using System.Text;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Notifications.Outbox;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// The outbox log on disk: segments written with zeros ahead of the frames (so a frame's flush
/// writes its data alone), cut to their frames when the next begins, read back in order across
/// segments and restarts; a frame a crash tore is cut off at the next start and what follows it
/// zeroed, so no stale bytes are ever read as an event. And a target's cursor, kept in place.
/// </summary>
[UnitTests]
public sealed class OutboxLogTests : IDisposable
{
    private readonly string _folder = Path.Join(Path.GetTempPath(), "outbox-log-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Events_come_back_in_order_across_segments_and_restarts()
    {
        using (var log = new OutboxLog(_folder, 4096))
            for (var i = 0; i < 40; i++) await AppendAsync(log, $"event {i:D3} " + new string('x', 300));
        using (var log = new OutboxLog(_folder, 4096))
        {
            for (var i = 40; i < 50; i++) await AppendAsync(log, $"event {i:D3} " + new string('x', 300));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"event {i:D3}"), ReadAll(log).Select(e => e[..9]));
            // What the log counts is its frames, not the zeros ahead of them.
            Assert.Equal(50 * (OutboxFrame.HeaderBytes + 310), log.Bytes);
        }
        var segments = Directory.GetFiles(_folder, "*.log").Order(StringComparer.Ordinal).ToList();
        Assert.True(segments.Count > 2);
        // Each full segment is cut to its frames; the last has room written ahead.
        foreach (var full in segments[..^1]) Assert.Equal(0, new FileInfo(full).Length % (OutboxFrame.HeaderBytes + 310));
        Assert.True(new FileInfo(segments[^1]).Length >= 256 << 10);
    }

    [Fact]
    public async Task A_torn_frame_is_cut_off_at_start_and_its_bytes_never_read_as_an_event()
    {
        using (var log = new OutboxLog(_folder, 1 << 20))
            for (var i = 0; i < 3; i++) await AppendAsync(log, $"kept {i}");
        var segment = Directory.GetFiles(_folder, "*.log").Single();
        var end = 3 * (OutboxFrame.HeaderBytes + 6);
        // A crash in the middle of a long frame: its header and a whole frame's worth of its payload
        // reached the disk, the rest did not (a whole, valid frame inside it, as a power cut can leave).
        using (var file = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            var inner = OutboxFrame.Encode("stale inner"u8);
            var torn = new byte[OutboxFrame.HeaderBytes + 100];
            BitConverter.TryWriteBytes(torn.AsSpan(0, 4), 400);
            // Where the reader looks after the next event ("after", 5 bytes) unless the tail was zeroed.
            inner.CopyTo(torn, OutboxFrame.HeaderBytes + 5);
            RandomAccess.Write(file, torn, end);
        }
        using (var log = new OutboxLog(_folder, 1 << 20))
        {
            Assert.Equal(["kept 0", "kept 1", "kept 2"], ReadAll(log));
            await AppendAsync(log, "after");
        }
        using (var log = new OutboxLog(_folder, 1 << 20))
            Assert.Equal(["kept 0", "kept 1", "kept 2", "after"], ReadAll(log));
    }

    [Fact]
    public async Task Concurrent_appends_share_flushes_and_are_kept_in_sequencer_order()
    {
        var sequencers = new List<string>();
        using (var log = new OutboxLog(_folder, 1 << 16))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 25; i++)
                {
                    await log.AppendAsync(s =>
                    {
                        sequencers.Add(s); // under the log's lock
                        return Encoding.UTF8.GetBytes($"{s} {w} {i}");
                    });
                }
            })));
            Assert.Equal(400, sequencers.Count);
        }
        using (var log = new OutboxLog(_folder, 1 << 16))
        {
            var read = ReadAll(log).Select(e => e.Split(' ')[0]).ToList();
            Assert.Equal(sequencers, read);
            Assert.Equal(read.Order(StringComparer.Ordinal), read);
        }
    }

    [Fact]
    public void A_cursor_keeps_its_marks_in_place_and_reads_an_older_servers_file()
    {
        var folder = Path.Join(_folder, "cursors");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Join(folder, "webhook-1"), "123 456");
        using (var cursor = new OutboxCursor(folder, "webhook-1", 0))
        {
            Assert.Equal((123, 456), (cursor.Delivered, cursor.Sending));
            cursor.MarkSending(900);
            cursor.MarkDelivered(700);
        }
        Assert.Equal(40, new FileInfo(Path.Join(folder, "webhook-1")).Length);
        using (var cursor = new OutboxCursor(folder, "webhook-1", 0))
            Assert.Equal((700, 900), (cursor.Delivered, cursor.Sending));
        // An outbox whose oldest segment begins later than the mark (segments released) starts there.
        using (var cursor = new OutboxCursor(folder, "webhook-1", 800))
            Assert.Equal((800, 900), (cursor.Delivered, cursor.Sending));
        // A record that is not one (a sector torn by a power cut): everything kept is sent again.
        File.WriteAllText(Path.Join(folder, "webhook-1"), "\0\0\0\0garbage");
        using (var cursor = new OutboxCursor(folder, "webhook-1", 5))
            Assert.Equal((5, 5), (cursor.Delivered, cursor.Sending));
    }

    private static Task AppendAsync(OutboxLog log, string text) => log.AppendAsync(_ => Encoding.UTF8.GetBytes(text));

    private static List<string> ReadAll(OutboxLog log)
    {
        var open = new Dictionary<long, SafeFileHandle>();
        try
        {
            var events = new List<string>();
            var position = log.Start;
            while (log.Read(ref position, open) is { } payload) events.Add(Encoding.UTF8.GetString(payload));
            return events;
        }
        finally
        {
            foreach (var file in open.Values) file.Dispose();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
