using S3Overlay.Storage;
using S3Overlay.Streams;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// The remote's open answer to a whole GET of an object that turned out to be chunked. Its bytes
/// are the generation's chunks in order (the chunk threshold is never below the chunk size), so
/// chunk 0's fill, and then each next chunk's, reads them from it instead of asking the remote
/// again: one remote GET for the chunks it gives, and nothing the remote pushed into the
/// connection is thrown away while readers go on. A chunk is taken from it only by a fill that a
/// reader started (its first chunk, one it reached, or its read-ahead: the same bounds as any
/// fill), claimed before the chunk's first byte is read. When a chunk ends and the next one is
/// not claimed, the answer waits for a claim as long as a reader that wants it is open (at most
/// <see cref="ClaimWait"/>), and is let go at once when the next chunk is cached or filled from
/// elsewhere, or no open reader wants it: a reader that has gone never makes it read on.
/// </summary>
/// <param name="elsewhere">Whether a chunk is cached, or being filled by another fill: then this answer cannot give it.</param>
/// <param name="work">Runs the wait for a claim (so shutdown ends it).</param>
/// <param name="closed">Runs once as the answer is let go.</param>
internal sealed class WholeAnswerChunks(ObjectContent whole, ChunkLayout layout, Func<int, Task<bool>> elsewhere, BackgroundWork work, Action closed)
{
    /// <summary>How long a chunk's end waits for a reader to claim the next (ms): ChunkedBody's wait for a silent reader.</summary>
    public const int ClaimWait = 10_000;

    private readonly object _lock = new();
    // The chunk whose bytes come next and that no fill has claimed yet.
    private int _next;
    // True once the answer stands at the start of chunk _next (the chunk before it read whole); false once let go before.
    private Task<bool> _tail = Task.FromResult(true);
    private bool _closed;
    // The last chunk each open reader of the generation wants.
    private readonly List<int> _readers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Stream Body => whole.Body;

    /// <summary>Whether the answer will give chunk <paramref name="index"/> (and every one after it) when claimed.</summary>
    public bool Gives(int index)
    {
        lock (_lock) return !_closed && index >= _next;
    }

    /// <summary>
    /// Claims chunk <paramref name="index"/> for the fill about to start: its opener returns the
    /// chunk as that chunk's own ranged GET would have answered, once the chunk before it is read,
    /// or null when the answer was let go before (the fill then asks the remote). Null when the
    /// answer does not give this chunk next.
    /// </summary>
    public Func<CancellationToken, Task<ObjectContent?>>? TryClaim(int index)
    {
        Task<bool> reached;
        TaskCompletionSource<bool> ended;
        lock (_lock)
        {
            if (_closed || index != _next || index >= layout.Count) return null;
            _next++;
            reached = _tail;
            ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _tail = ended.Task;
        }
        Changed();
        return async ct =>
        {
            bool ready;
            try
            {
                ready = await reached.WaitAsync(ct);
            }
            catch
            {
                ended.TrySetResult(false);
                Close();
                throw;
            }
            if (!ready)
            {
                ended.TrySetResult(false);
                return null;
            }
            var length = layout.LengthOf(index);
            var window = new ChunkWindow(this, index, length, ended);
            // An answer that broke where this chunk begins (the remote or the connection gave up
            // while it waited for a claim) costs nothing yet: the fill asks the remote instead.
            if (!await window.StartAsync(ct)) return null;
            return new ObjectContent(whole.Info, window, new ResolvedRange(layout.StartOf(index), length, whole.Info.Size));
        };
    }

    /// <summary>A reader of the generation that wants chunks up to <paramref name="lastChunk"/>, until the token is cancelled (it has gone).</summary>
    public void Attach(int lastChunk, CancellationToken gone)
    {
        lock (_lock)
        {
            if (_closed) return;
            _readers.Add(lastChunk);
        }
        gone.Register(() =>
        {
            lock (_lock) _readers.Remove(lastChunk);
            Changed();
        });
    }

    /// <summary>Lets the answer go, unless a chunk was claimed from it (the read that holds it needed none).</summary>
    public void CloseUnclaimed() => CloseIfUnclaimed(0);

    /// <summary>Lets the answer go now.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
        }
        LetGo();
    }

    private void LetGo()
    {
        whole.Body.Dispose();
        closed();
        Changed();
    }

    private void Changed()
    {
        TaskCompletionSource changed;
        lock (_lock) (changed, _changed) = (_changed, new(TaskCreationOptions.RunContinuationsAsynchronously));
        changed.TrySetResult();
    }

    /// <summary>A chunk's window is over: whole, the answer stands at the next chunk; cut short, it is let go.</summary>
    private void Ended(int index, bool whole, TaskCompletionSource<bool> ended)
    {
        if (!whole || index == layout.Count - 1)
        {
            ended.TrySetResult(false);
            Close();
            return;
        }
        ended.TrySetResult(true);
        if (!work.TryStart("whole answer", stopping => AwaitClaimAsync(index + 1, stopping))) Close();
    }

    /// <summary>Waits for the next chunk to be claimed, or lets the answer go when nobody will.</summary>
    private async Task AwaitClaimAsync(int next, CancellationToken stopping)
    {
        try
        {
            if (Gives(next) && await elsewhere(next))
            {
                CloseIfUnclaimed(next);
                return;
            }
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (_closed || _next != next) return; // claimed (or let go)
                    if (!_readers.Exists(last => last >= next)) break;
                    changed = _changed.Task;
                }
                var left = ClaimWait - (int)waited.ElapsedMilliseconds;
                if (left <= 0) break;
                await Task.WhenAny(changed, Task.Delay(left, stopping));
                if (stopping.IsCancellationRequested) break;
            }
        }
        catch
        {
            // A failed lookup: as nobody wanting it.
        }
        CloseIfUnclaimed(next);
    }

    /// <summary>Lets the answer go unless chunk <paramref name="next"/> was claimed from it (or it is let go already).</summary>
    private void CloseIfUnclaimed(int next)
    {
        lock (_lock)
        {
            if (_closed || _next != next) return;
            _closed = true;
        }
        LetGo();
    }

    /// <summary>One chunk's bytes of the answer; disposing it hands the answer on to the next chunk (or lets it go).</summary>
    private sealed class ChunkWindow(WholeAnswerChunks answer, int index, long length, TaskCompletionSource<bool> ended) : PayloadStream
    {
        private readonly long _length = length;
        private long _remaining = length;
        private bool _over;
        // The chunk's first bytes, read before the fill takes the window (StartAsync), and how many of them are still to be read.
        private ReadOnlyMemory<byte> _first;

        /// <summary>Reads the chunk's first bytes; false (the answer let go) when none come.</summary>
        public async Task<bool> StartAsync(CancellationToken ct)
        {
            var first = new byte[(int)Math.Min(_remaining, 16 * 1024)];
            var n = 0;
            try
            {
                n = await answer.Body.ReadAsync(first, ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
            }
            finally
            {
                if (n == 0) Dispose();
            }
            _first = first.AsMemory(0, n);
            _remaining -= n;
            return n > 0;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (buffer.Length == 0) return 0;
            if (!_first.IsEmpty)
            {
                var n0 = Math.Min(buffer.Length, _first.Length);
                _first[..n0].CopyTo(buffer);
                _first = _first[n0..];
                return n0;
            }
            if (_remaining <= 0) return 0;
            var n = await answer.Body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], ct);
            if (n == 0) throw new IOException($"The remote answer ended inside chunk {index}.");
            _remaining -= n;
            return n;
        }

        public override long Length => _length;

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_over)
            {
                _over = true;
                answer.Ended(index, _remaining == 0 && _first.IsEmpty, ended);
            }
            base.Dispose(disposing);
        }
    }
}
