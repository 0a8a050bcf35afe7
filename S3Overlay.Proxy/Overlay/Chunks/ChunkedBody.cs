using S3Overlay.Streams;
namespace S3Overlay.Overlay;

/// <summary>
/// The body of a chunked object, or of a range of it: the chunks it touches, one after the other,
/// each from the cache or from its fill. At its second read of a chunk it asks for the next one
/// ahead of time, so a sequential read does not wait a remote round trip at every chunk boundary;
/// a reader that takes a few KiB and goes (an open-ended range used as a seek) asks for nothing
/// it does not reach (issue 37: as each chunk opened, every such seek cost two chunks).
/// </summary>
public sealed class ChunkedBody : PayloadStream
{
    /// <summary>Opens <c>length</c> bytes of chunk <c>index</c> from <c>offsetInChunk</c>.</summary>
    public delegate Task<Stream> ChunkOpener(int index, long offsetInChunk, long length, CancellationToken ct);

    private readonly ChunkLayout _layout;
    private readonly ChunkOpener _open;
    private readonly Action<int>? _prefetch;
    private readonly long _start;
    private readonly long _end;
    private long _position;
    private Stream? _chunk;
    private long _chunkEnd;
    /// <summary>Whether the next chunk is still to be read ahead, at the reader's next read of this one.</summary>
    private bool _readAheadDue;

    public ChunkedBody(ChunkLayout layout, long offset, long length, ChunkOpener open, Action<int>? prefetch)
    {
        _layout = layout;
        _open = open;
        _prefetch = prefetch;
        _start = _position = offset;
        _end = offset + length;
    }

    public int FirstChunk => _layout.IndexOf(_start);
    public int LastChunk => _end == _start ? FirstChunk : _layout.IndexOf(_end - 1);

    /// <summary>Opens the first chunk now, so a failure is an error answer rather than a cut body.</summary>
    public async Task OpenFirstAsync(CancellationToken ct)
    {
        if (_position < _end) await NextChunkAsync(ct);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position >= _end || buffer.Length == 0) return 0;
        if (_chunk is null) await NextChunkAsync(ct);
        else if (_readAheadDue)
        {
            // A second read of a chunk: the response took the first (ObjectBody reads once its last
            // send was flushed), so the client is reading on, not one that seeks and goes.
            _readAheadDue = false;
            _prefetch!(_layout.IndexOf(_position) + 1);
        }
        var read = await _chunk!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _chunkEnd - _position)], ct);
        if (read == 0) throw new IOException($"Chunk {_layout.IndexOf(_position)} ended early.");
        _position += read;
        if (_position == _chunkEnd)
        {
            await _chunk.DisposeAsync();
            _chunk = null;
        }
        return read;
    }

    private async Task NextChunkAsync(CancellationToken ct)
    {
        var index = _layout.IndexOf(_position);
        _chunkEnd = Math.Min(_end, _layout.StartOf(index) + _layout.LengthOf(index));
        _readAheadDue = index < LastChunk && _prefetch is not null;
        _chunk = await _open(index, _position - _layout.StartOf(index), _chunkEnd - _position, ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_chunk is not null) await _chunk.DisposeAsync();
        _chunk = null;
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _chunk?.Dispose();
        _chunk = null;
        base.Dispose(disposing);
    }

    public override long Length => _end - _start;
}
