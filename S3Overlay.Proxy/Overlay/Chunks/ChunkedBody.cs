using S3Overlay.Streams;
namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// The body of a chunked object, or of a range of it: the chunks it touches, one after the other,
/// each from the cache or from its fill. Remote work for its reader goes by what the reader has
/// taken (<see cref="IReaderProgress"/>), not by what was written into its connection, whose
/// buffers take megabytes from a reader that takes a few KiB and goes (an open-ended range used
/// as a seek): the next chunk is read ahead once the reader has taken more than a seek's
/// worth (<see cref="ReadOnAfter"/>), one chunk past what it has taken and no further; a chunk past the
/// first that must be fetched is fetched once the reader has taken everything before it.
/// Chunks that are files (cached ones of the embedded store, fills) go to the kernel piece by
/// piece (<see cref="IFilePieces"/>), read ahead as reads are.
/// </summary>
internal sealed class ChunkedBody : PayloadStream, IPacedBody, IFilePieces
{
    /// <summary>
    /// Opens <c>length</c> bytes of chunk <c>index</c> from <c>offsetInChunk</c>. <c>reached</c>,
    /// when given, is to be awaited before a remote fetch is started for it: false when the
    /// reader has gone before it took the bytes ahead of this chunk.
    /// </summary>
    public delegate Task<Stream> ChunkOpener(int index, long offsetInChunk, long length, Func<CancellationToken, ValueTask<bool>>? reached, CancellationToken ct);

    /// <summary>
    /// A reader that has taken more than this reads on: sixteen times what a seeking reader takes
    /// (64 KiB; smart_open buffers 128 KiB). What a connection tells of the reader can overstate
    /// it by what a receive buffer that has just grown holds unread (the window it advertises is
    /// no smaller): at 256 KiB, one send, smart_open's 64 KiB seeks were read ahead in 1 of 6 runs
    /// under load (SeekingReaderTests); a reader that streams on loses nothing to the wait.
    /// </summary>
    public const long ReadOnAfter = 1024 * 1024;

    private readonly ChunkLayout _layout;
    private readonly ChunkOpener _open;
    private readonly Action<int, CancellationToken>? _prefetch;
    private readonly long _start;
    private readonly long _end;
    // Cancelled as the body goes: a read-ahead asked for and not started by then is not started.
    private readonly CancellationTokenSource _reading = new();
    private long _position;
    private Stream? _chunk;
    private long _chunkEnd;
    /// <summary>The rest of the open chunk taken as a file (it ends at <see cref="_chunkEnd"/>), handed out a piece at a time.</summary>
    private FileRange? _chunkFile;
    /// <summary>The last chunk read ahead (or the first chunk: nothing yet).</summary>
    private int _readAhead;
    /// <summary>Without progress to go by: whether the next chunk is still to be read ahead, at the next read of this one.</summary>
    private bool _readAheadDue;

    /// <param name="prefetch">Starts filling a chunk ahead; given a token cancelled once this body has gone.</param>
    public ChunkedBody(ChunkLayout layout, long offset, long length, ChunkOpener open, Action<int, CancellationToken>? prefetch)
    {
        _layout = layout;
        _open = open;
        _prefetch = prefetch;
        _start = _position = offset;
        _end = offset + length;
        _readAhead = FirstChunk;
    }

    /// <summary>Cancelled as the body goes (its reader is done, or has gone).</summary>
    public CancellationToken Reading => _reading.Token;

    public int FirstChunk => _layout.IndexOf(_start);
    public int LastChunk => _end == _start ? FirstChunk : _layout.IndexOf(_end - 1);

    public bool Paced => true;

    /// <summary>What the reader has taken of the response; null (the default) paces by what was written.</summary>
    public IReaderProgress? Progress { private get; set; }

    /// <summary>Opens the first chunk now, so a failure is an error answer rather than a cut body.</summary>
    public async Task OpenFirstAsync(CancellationToken ct)
    {
        if (_position < _end) await NextChunkAsync(ct);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position >= _end || buffer.Length == 0) return 0;
        ReadAheadIfDue();
        if (_chunk is null) await NextChunkAsync(ct);
        var read = await _chunk!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _chunkEnd - _position)], ct);
        if (read == 0) throw new IOException($"Chunk {_layout.IndexOf(_position)} ended early.");
        _position += read;
        if (_position == _chunkEnd)
        {
            await CloseChunkAsync();
            ReachNextIfWithinSlack();
        }
        return read;
    }

    /// <summary>
    /// A chunk just read to its end: the next is reached now, and read ahead whether or not the
    /// reader is still there, when all the body gave before it is within what the connection may
    /// not have told yet (<see cref="IReaderProgress.Slack"/>: a range that begins just before
    /// the next chunk). Judged when it is asked for instead (<see cref="ReachedAsync"/>), the chunk
    /// was fetched or not by which came first, that look or the hang-up of a reader that took its
    /// one byte and went: an identical repeat of 30 such reads then fetched a chunk the first had
    /// not (AbandonedSeeksTests, 1 of 25 runs with both cores busy).
    /// </summary>
    private void ReachNextIfWithinSlack()
    {
        if (_prefetch is null || Progress is not { } progress || _position >= _end || _position - _start > progress.Slack) return;
        var next = _layout.IndexOf(_position);
        if (next <= _readAhead) return;
        _readAhead = next;
        // Not the body's token: the body goes with its reader, and the chunk is owed either way.
        _prefetch(next, CancellationToken.None);
    }

    private async ValueTask CloseChunkAsync()
    {
        _chunkFile?.Dispose();
        _chunkFile = null;
        if (_chunk is not null) await _chunk.DisposeAsync();
        _chunk = null;
    }

    /// <summary>A cached chunk's file goes this much at a time: read-ahead is judged between pieces, as between reads.</summary>
    private const long FilePiece = 1024 * 1024;

    // Each piece is on a handle of its own (a duplicate of the chunk's file, or of its fill's),
    // which the send closes when done: the chunk is closed as soon as its last piece is handed
    // out, however late the kernel sends it.
    public async ValueTask<FileRange?> NextPieceAsync(CancellationToken ct)
    {
        if (_position >= _end) return null;
        ReadAheadIfDue();
        if (_chunk is null) await NextChunkAsync(ct);
        if (_chunkFile is null && _chunk is IFileBody file) _chunkFile = file.TakeFile();
        FileRange? piece;
        if (_chunkFile is { } whole)
        {
            var at = whole.Offset + whole.Length - (_chunkEnd - _position);
            piece = new FileRange(FileHandles.Duplicate(whole.File), at, Math.Min(FilePiece, _chunkEnd - _position));
        }
        else if (_chunk is IFilePieces pieces && await pieces.NextPieceAsync(ct) is { } filled)
            piece = filled;
        else
            return null; // not a file: this chunk, and the rest, are read
        _position += piece.Length;
        if (_position == _chunkEnd)
        {
            await CloseChunkAsync();
            ReachNextIfWithinSlack();
        }
        return piece;
    }

    private void ReadAheadIfDue()
    {
        if (Progress is { } progress)
        {
            if (progress.Taken is { } taken) ReadAheadOf(taken);
        }
        else if (_prefetch is not null && _readAheadDue && _chunk is not null)
        {
            // A second read of a chunk: the response took the first (ObjectBody reads once its
            // last send was flushed), so the client is reading on, not one that seeks and goes.
            _readAheadDue = false;
            _readAhead = _layout.IndexOf(_position) + 1;
            _prefetch(_readAhead, _reading.Token);
        }
    }

    /// <summary>Reads ahead the chunk after the one the client is taking, once it has taken more than a seek's worth.</summary>
    private void ReadAheadOf(long taken)
    {
        // No more of the body than it was given: what the connection tells counts the response's
        // headers too. The chunk after the one holding the last byte taken, which is open by
        // then: a reader that had taken all of one chunk, exactly, read ahead the chunk after the
        // next before the next was opened, and the whole answer, still standing at the next, could
        // not give it (a second remote GET of that chunk).
        taken = Math.Min(taken, _position - _start);
        if (_prefetch is null || taken <= ReadOnAfter) return;
        var next = _layout.IndexOf(_start + taken - 1) + 1;
        if (next <= _readAhead || next > LastChunk) return;
        _readAhead = next;
        _prefetch(next, _reading.Token);
    }

    /// <summary>
    /// Waits until the client has taken the <paramref name="before"/> bytes ahead of chunk
    /// <paramref name="index"/>, or reads on far enough that it is read ahead; false when it has
    /// gone first. Polled, 1 ms doubling to 256 ms: the kernel signals no reads of the client's;
    /// one that reads on gives its window back within a round trip, one that hung up is reset as
    /// fast, and one that holds its body open between reads (smart_open does) is asked less and
    /// less often. After <see cref="ReachWait"/> the chunk is fetched without waiting longer: a
    /// client that is silent but still connected (a lost peer sends no reset) is then judged as
    /// any other, by its connection's flow control and the server's minimum response data rate.
    /// </summary>
    private async ValueTask<bool> ReachedAsync(IReaderProgress progress, int index, long before, CancellationToken ct)
    {
        var delay = 1;
        var waited = 0;
        while (progress.Taken is { } taken)
        {
            ReadAheadOf(taken);
            if (_readAhead >= index || taken + progress.Slack >= before || waited >= ReachWait) return true;
            await Task.Delay(delay, ct);
            waited += delay;
            delay = Math.Min(delay * 2, 256);
        }
        return false;
    }

    /// <summary>How long (ms) a chunk waits for a client that neither reads nor goes.</summary>
    private const int ReachWait = 10_000;

    private async Task NextChunkAsync(CancellationToken ct)
    {
        var index = _layout.IndexOf(_position);
        _chunkEnd = Math.Min(_end, _layout.StartOf(index) + _layout.LengthOf(index));
        _readAheadDue = index < LastChunk;
        // Past the first chunk, a chunk this reader has not taken the bytes before is not fetched
        // for it yet: a reader that has gone by then costs the remote nothing more.
        var before = _layout.StartOf(index) - _start;
        var reached = index == FirstChunk || Progress is not { } progress ? null : (Func<CancellationToken, ValueTask<bool>>)(c => ReachedAsync(progress, index, before, c));
        _chunk = await _open(index, _position - _layout.StartOf(index), _chunkEnd - _position, reached, ct);
    }

    public override async ValueTask DisposeAsync()
    {
        _reading.Cancel();
        await CloseChunkAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reading.Cancel();
            _chunkFile?.Dispose();
            _chunk?.Dispose();
        }
        (_chunkFile, _chunk) = (null, null);
        base.Dispose(disposing);
    }

    public override long Length => _end - _start;
}
