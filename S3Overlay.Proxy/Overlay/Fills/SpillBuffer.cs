using S3Overlay.Streams;
using Microsoft.Win32.SafeHandles;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// A growing temporary file that one writer (the remote read of a fill) appends to while any
/// number of readers (the client that started the fill, coalesced waiters, the local write)
/// follow it at their own pace. Memory stays bounded whatever the object size and however slow a
/// reader is; a fast reader never waits for a slow one, and the writer never waits for anyone
/// (a reader it wakes copies what arrived on the writer's thread, up to its first wait of its own).
/// The file is deleted when the last holder releases it.
/// </summary>
internal sealed class SpillBuffer
{
    private readonly object _lock = new();
    private FileStream? _owner;
    private SafeFileHandle? _file;
    private TaskCompletionSource _grew = NewSignal();
    private long _written;
    private long? _expected;
    private bool _completed;
    private Exception? _failure;
    private int _holders = 1;
    private bool _read;

    /// <summary>The name every spill file in a spill folder has, so a start-up sweep finds those a crash left (<see cref="SpillDirectory"/>).</summary>
    public const string FilePattern = "spill-*.tmp";

    /// <summary>A new spill file's path in <paramref name="directory"/>.</summary>
    public static string NewPath(string directory) => System.IO.Path.Combine(directory, $"spill-{Guid.NewGuid():N}.tmp");

    private readonly Action? _released;
    private readonly Action? _abandoned;

    /// <param name="path">A new file's path: in a spill folder, or where a local store can take the file as it is (<see cref="IStagingStore"/>).</param>
    /// <param name="released">Runs once the last holder has let go (the file is gone).</param>
    /// <param name="abandoned">Runs when every reader that opened the body has let go and only the writer holds the file.</param>
    public SpillBuffer(string path, Action? released = null, Action? abandoned = null)
    {
        Path = path;
        _released = released;
        _abandoned = abandoned;
    }

    /// <summary>
    /// Creates the file, before the writer's first byte and before any reader opens the body. Not
    /// in the constructor: a fill makes it while the remote answers its request (a new file cost
    /// this disk 0.6–0.9 ms on a cold GET's way to its first byte, timed by phase), and a fill
    /// that loses the race to be the key's one never needs it.
    /// </summary>
    public void Create()
    {
        // Owner-only: a spill file holds object bytes other local users must not read. Not
        // DeleteOnClose: a file the local store has taken (renamed) must outlive this handle.
        var options = new FileStreamOptions
        {
            BufferSize = 0,
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var owner = new FileStream(Path, options);
        lock (_lock) (_owner, _file) = (owner, owner.SafeFileHandle);
    }

    public string Path { get; }

    /// <summary>The open file; read it only once <see cref="WhenCompleteAsync"/> has returned.</summary>
    public SafeFileHandle File => _file ?? throw new InvalidOperationException("The spill file is not created yet.");

    public long Written { get { lock (_lock) return _written; } }

    /// <summary>Whether the writer has failed (or declined): readers that open it now only get the error.</summary>
    public bool Failed { get { lock (_lock) return _failure is not null; } }

    /// <summary>The length the body will have once complete (known from the remote's headers).</summary>
    public void Expect(long length) { lock (_lock) _expected = length; }

    /// <remarks>
    /// Written synchronously, as the file store reads (RangeReadStream): .NET has no asynchronous
    /// file I/O on Linux, so WriteAsync queues the same pwrite into the page cache to the thread
    /// pool and resumes from there: two thread hops per piece the remote sends, a dozen pieces per
    /// MiB, and a wake-up is dear on a virtual machine (under perf, 23 Nov: a VM's interrupt enable on every
    /// context switch was 26 % of a 1 MiB fill's CPU).
    /// </remarks>
    public void Append(ReadOnlySpan<byte> data)
    {
        long at;
        lock (_lock) at = _written;
        RandomAccess.Write(File, data, at);
        var length = data.Length;
        Signal(() => _written += length);
    }

    /// <summary>The writer is done; readers fail if fewer bytes arrived than expected.</summary>
    public void Complete() => Signal(() =>
    {
        if (_expected is { } n && n != _written)
            _failure ??= new IOException($"The remote sent {_written} of {n} bytes.");
        _completed = true;
    });

    public void Fail(Exception error) => Signal(() => { _failure ??= error; _completed = true; });

    /// <summary>Takes a share of the file; false once it has been released by everyone.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_holders == 0) return false;
            _holders++;
            return true;
        }
    }

    public void Release()
    {
        bool released, abandoned;
        lock (_lock)
        {
            released = --_holders == 0;
            abandoned = _holders == 1 && _read && !_completed;
            if (released && _owner is not null)
            {
                _owner.Dispose();
                DeleteUnlessTaken();
            }
        }
        if (released) _released?.Invoke();
        if (abandoned) _abandoned?.Invoke();
    }

    // A file the local store took was renamed: nothing is left under this (unique) path then.
    private void DeleteUnlessTaken()
    {
        try { System.IO.File.Delete(Path); }
        catch (IOException) { } // a crash's leftovers are swept: SpillDirectory, or the store's temp cleanup
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Waits until the whole body is written, its length checked; throws what the writer failed with.</summary>
    public async Task WhenCompleteAsync(CancellationToken ct) => await AvailableAsync(long.MaxValue, ct);

    /// <summary>A stream of <paramref name="length"/> bytes from <paramref name="offset"/>; it owns one share (acquired by the caller).</summary>
    public Stream OpenReader(long offset, long length)
    {
        lock (_lock) _read = true;
        return new SpillReader(this, offset, length);
    }

    /// <summary>Waits until bytes beyond <paramref name="position"/> exist, or the body is complete or failed.</summary>
    private async ValueTask<long> AvailableAsync(long position, CancellationToken ct)
    {
        while (true)
        {
            Task grew;
            lock (_lock)
            {
                if (_failure is not null) throw new IOException("The remote read of this object failed.", _failure);
                if (_written > position || _completed) return _written;
                grew = _grew.Task;
            }
            await grew.WaitAsync(ct);
        }
    }

    private void Signal(Action change)
    {
        TaskCompletionSource grew;
        lock (_lock)
        {
            change();
            grew = _grew;
            _grew = NewSignal();
        }
        grew.TrySetResult();
    }

    // Readers waiting for bytes resume on the writer's thread (it has just written them, and is
    // not holding the lock): each resumes only to copy what is in the page cache into its own
    // output and wait again, and queueing that to another thread cost a wake-up per piece.
    private static TaskCompletionSource NewSignal() => new();

    private sealed class SpillReader(SpillBuffer spill, long offset, long length) : PayloadStream, IFilePieces
    {
        private readonly long _start = offset;
        private readonly long _end = offset + length;
        private long _position = offset;
        private bool _released;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            ct.ThrowIfCancellationRequested();
            if (_position >= _end || buffer.Length == 0) return 0;
            var take = (int)Math.Min(buffer.Length, await ReadyAsync(ct));
            // Synchronously, for the reason Append gives: the bytes are in the page cache.
            var read = RandomAccess.Read(spill.File, buffer.Span[..take], _position);
            _position += read;
            return read;
        }

        // What ReadAsync would read next, left in the file for the kernel to send: on a handle of
        // its own (a duplicate of the spill's), which the send closes when done, so the piece
        // outlives this reader's share of the file however late it is sent.
        public async ValueTask<FileRange?> NextPieceAsync(CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            if (_position >= _end) return null;
            var ready = await ReadyAsync(ct); // before the duplicate, which a failed wait would leave open
            var piece = new FileRange(FileHandles.Duplicate(spill.File), _position, ready);
            _position += piece.Length;
            return piece;
        }

        /// <summary>How many bytes from the position on are written (at least one, none past this reader's end), once some are.</summary>
        private async ValueTask<long> ReadyAsync(CancellationToken ct)
        {
            var available = await spill.AvailableAsync(_position, ct);
            if (available <= _position) throw new IOException("The remote body ended early.");
            return Math.Min(available, _end) - _position;
        }

        protected override void Dispose(bool disposing)
        {
            if (!_released) { _released = true; spill.Release(); }
            base.Dispose(disposing);
        }

        public override long Length => _end - _start;
    }
}
