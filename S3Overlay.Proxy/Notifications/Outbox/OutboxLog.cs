using System.Globalization;
using Microsoft.Win32.SafeHandles;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Notifications.Outbox;

/// <summary>
/// The events not yet delivered, on disk in the outbox folder: an append-only log of numbered
/// segments (<c>000000000001.log</c>, …). An append returns once its frame is flushed to disk, so
/// an event is kept before its write is answered; appends that arrive while a flush runs share the
/// next one (group commit), so concurrent writers pay one flush between them. Readers (one per
/// target) read only what is flushed; a segment is deleted once every target has read past it.
/// One server per folder: a lock file is held while the log is open.
/// </summary>
/// <remarks>
/// A segment's space is written with zeros ahead of the frames, a quarter MiB at a time, and
/// flushed with its new size once; a frame then lands in space the file already has, so its flush
/// writes the frame's data alone (<see cref="OutboxSync"/>), not the file's size and times too. The
/// zeros are also where a reader stops: a frame's length is never 0. A segment is cut to its frames
/// when the next begins, and at start what follows the last whole frame is zeroed again (a power
/// cut may have left part of a frame there).
/// </remarks>
internal sealed class OutboxLog : IDisposable
{
    private const int AllocationStep = 256 << 10;

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly byte[] _zeros = new byte[AllocationStep];
    private readonly FileStream _lock;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    // Segments rolled past whose last frames a flush has yet to cover; closed by that flush.
    private readonly List<SafeFileHandle> _retired = [];
    private SafeFileHandle _current;
    private long _segment;
    private long _offset;
    // The current segment's length on disk: its frames, then zeros.
    private long _allocated;
    // Whether the current segment's length changed since the last flush began: the next writes the
    // whole file (fdatasync alone would write the size too; this says so rather than relying on it).
    private bool _resized;
    private long _durable;
    private long _sequence;
    private long _bytes;
    private TaskCompletionSource _appended = NewSignal();

    public OutboxLog(string folder, long segmentBytes)
    {
        _folder = folder;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(folder);
        _lock = TakeLock(Path.Join(folder, "lock"));
        var segments = Segments();
        _segment = segments.Count == 0 ? 1 : segments[^1];
        _current = OpenSegment(_segment, out _offset, out _allocated);
        if (segments.Count == 0) StoreFiles.FlushFolder(folder); // the first segment's name, as Roll flushes each next one's
        _durable = OutboxPosition.Of(_segment, _offset);
        _bytes = segments.Where(s => s != _segment).Sum(s => new FileInfo(PathOf(s)).Length) + _offset;
        FirstSegment = segments.Count == 0 ? _segment : segments[0];
    }

    /// <summary>Where the oldest event kept begins.</summary>
    public long Start => OutboxPosition.Of(FirstSegment, 0);

    public long FirstSegment { get; private set; }

    /// <summary>The end of what is flushed: readers read up to here.</summary>
    public long DurableEnd => Volatile.Read(ref _durable);

    /// <summary>What the kept segments hold, in bytes (the outbox's bound is on this).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// Appends one event and returns once it is on disk. <paramref name="payload"/> is given the
    /// event's sequencer (ordering the events of the log, and so of each key) and is called under
    /// the log's lock, so the order of sequencers is the order of the frames.
    /// </summary>
    public Task AppendAsync(Func<string, byte[]> payload) => FlushThroughAsync(Append(payload));

    /// <summary>
    /// Appends one event without waiting for the disk, as <see cref="AppendAsync"/> but for the
    /// flush; returns the end of its frame, for <see cref="FlushThroughAsync"/>.
    /// </summary>
    public long Append(Func<string, byte[]> payload)
    {
        lock (_gate)
        {
            _sequence = Math.Max(_sequence + 1, DateTimeOffset.UtcNow.Ticks);
            var frame = OutboxFrame.Encode(payload(_sequence.ToString("X16", CultureInfo.InvariantCulture)));
            if (_offset > 0 && _offset + frame.Length > _segmentBytes) Roll();
            Reserve(_offset + frame.Length);
            RandomAccess.Write(_current, frame, _offset);
            _offset += frame.Length;
            Interlocked.Add(ref _bytes, frame.Length);
            return OutboxPosition.Of(_segment, _offset);
        }
    }

    /// <summary>Completes once something past <paramref name="position"/> is flushed (at once if it already is).</summary>
    public Task WaitPastAsync(long position, CancellationToken ct)
    {
        Task signal;
        lock (_gate) signal = _appended.Task;
        return DurableEnd > position ? Task.CompletedTask : signal.WaitAsync(ct);
    }

    /// <summary>The event at <paramref name="position"/>, or null when none is flushed there yet; a segment's end moves on to the next.</summary>
    public byte[]? Read(ref long position, Dictionary<long, SafeFileHandle> open)
    {
        while (position < DurableEnd)
        {
            var segment = OutboxPosition.Segment(position);
            if (!open.TryGetValue(segment, out var file))
            {
                if (!File.Exists(PathOf(segment))) { position = OutboxPosition.Of(segment + 1, 0); continue; }
                open[segment] = file = File.OpenHandle(PathOf(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            var payload = OutboxFrame.Read(file, OutboxPosition.Offset(position));
            if (payload is not null)
            {
                position += OutboxFrame.HeaderBytes + payload.Length;
                return payload;
            }
            if (segment >= OutboxPosition.Segment(DurableEnd)) return null;
            file.Dispose();
            open.Remove(segment);
            position = OutboxPosition.Of(segment + 1, 0);
        }
        return null;
    }

    /// <summary>Deletes the segments wholly before <paramref name="position"/> (every target has read past them).</summary>
    public void Release(long position)
    {
        var before = OutboxPosition.Segment(position);
        lock (_gate)
        {
            while (FirstSegment < before && FirstSegment < _segment)
            {
                var path = PathOf(FirstSegment);
                if (File.Exists(path))
                {
                    Interlocked.Add(ref _bytes, -new FileInfo(path).Length);
                    File.Delete(path);
                }
                FirstSegment++;
            }
        }
    }

    /// <summary>Completes once everything appended up to <paramref name="end"/> is on disk (a flush shared with the appends waiting with it).</summary>
    public async Task FlushThroughAsync(long end)
    {
        if (DurableEnd >= end) return;
        await _flushGate.WaitAsync();
        try
        {
            if (DurableEnd >= end) return;
            SafeFileHandle current;
            SafeFileHandle[] retired;
            long through;
            bool resized;
            lock (_gate)
            {
                current = _current;
                retired = [.. _retired];
                _retired.Clear();
                through = OutboxPosition.Of(_segment, _offset);
                resized = _resized;
                _resized = false;
            }
            foreach (var old in retired)
            {
                RandomAccess.FlushToDisk(old);
                old.Dispose();
            }
            OutboxSync.Flush(current, resized);
            TaskCompletionSource signal;
            lock (_gate)
            {
                Volatile.Write(ref _durable, through);
                signal = _appended;
                _appended = NewSignal();
            }
            signal.TrySetResult();
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Starts the next segment (under the lock); the one it ends, cut to its frames, is closed by the flush that covers it.</summary>
    private void Roll()
    {
        RandomAccess.SetLength(_current, _offset);
        _retired.Add(_current);
        _segment++;
        _current = OpenSegment(_segment, out _offset, out _allocated);
        _resized = true;
        StoreFiles.FlushFolder(_folder);
    }

    /// <summary>Zeros written past the current segment's end until <paramref name="end"/> fits (under the lock).</summary>
    private void Reserve(long end)
    {
        while (_allocated < end)
        {
            RandomAccess.Write(_current, _zeros, _allocated);
            _allocated += _zeros.Length;
            _resized = true;
        }
    }

    /// <summary>
    /// A segment to append to, after the last whole frame in it, and its length; what follows
    /// that frame is zeroed (a frame a crash tore, or an older server's segment: then none).
    /// </summary>
    private SafeFileHandle OpenSegment(long segment, out long end, out long length)
    {
        var file = File.OpenHandle(PathOf(segment), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        end = 0;
        while (OutboxFrame.Read(file, end) is { } payload) end += OutboxFrame.HeaderBytes + payload.Length;
        length = RandomAccess.GetLength(file);
        if (length == end) return file;
        for (var at = end; at < length; at += _zeros.Length)
            RandomAccess.Write(file, _zeros.AsSpan(0, (int)Math.Min(_zeros.Length, length - at)), at);
        RandomAccess.FlushToDisk(file);
        return file;
    }

    private List<long> Segments() =>
        [.. Directory.EnumerateFiles(_folder, "*.log")
            .Select(p => long.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Where(n => n > 0)
            .Order()];

    private string PathOf(long segment) => Path.Join(_folder, segment.ToString("D12", CultureInfo.InvariantCulture) + ".log");

    private static FileStream TakeLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"The notification outbox {Path.GetDirectoryName(path)} is in use by another server.", e);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var old in _retired) old.Dispose();
            _retired.Clear();
            _current.Dispose();
        }
        _lock.Dispose();
        _flushGate.Dispose();
    }
}
