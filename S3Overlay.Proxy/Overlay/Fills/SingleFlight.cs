using System.Collections.Concurrent;
using System.Diagnostics;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// At most one remote read per key in this process: concurrent misses of one object (or one
/// chunk) join the <see cref="RemoteFill"/> in flight instead of asking the remote again.
/// </summary>
/// <remarks>
/// A key's entry is its fill, or the remote GET a read sent before the local store had answered
/// (<see cref="EarlyRemoteRead"/>): the key's fill from its first request on, whose first miss
/// starts it with that request's answer. Whatever a reader finds there, it never sends a second
/// request beside it. Every hand-over (a fill adopting the early GET, a read letting it go or
/// taking it back) is one compare-and-swap of the entry: the request has one owner at any moment.
/// </remarks>
/// <param name="newSpillPath">Where each new fill's spill file goes.</param>
internal sealed class SingleFlight<TKey>(Func<string> newSpillPath, FillSlots slots, OverlayMetrics metrics) where TKey : notnull
{
    // A RemoteFill, an EarlyRemoteRead no fill has adopted yet, or the Ended mark of the key's last
    // fill: one entry, so "a fill ended since I looked" is decided by the same compare-and-swap
    // that would register the next fill (see JoinOrStart).
    private readonly ConcurrentDictionary<TKey, object> _flights = new();

    /// <summary>
    /// When a key's last fill ended (Stopwatch ticks), and the description it declined to fill
    /// whole (an object found chunked), if it did: it stands in the table until the next fill of
    /// the key replaces it.
    /// </summary>
    private sealed record Ended(long At, ObjectInfo? Declined);

    // Ended marks are pruned by age once there are many: a mark lost that way costs at most one
    // remote GET (a reader that looked before that fill ended, and is still deciding a minute later).
    private int _endedCount;
    private int _pruneAt = EndedKept;
    private const int EndedKept = 4096;
    private static readonly TimeSpan EndedFor = TimeSpan.FromMinutes(1);

    /// <summary>The fill in flight for <paramref name="key"/>, joined (the caller holds a share), or null.</summary>
    public RemoteFill? TryJoin(TKey key) =>
        _flights.TryGetValue(key, out var flight) && flight is RemoteFill fill && fill.TryJoin() ? fill : null;

    /// <summary>A moment to hand to <see cref="EndedSince"/> and <see cref="JoinOrStart"/>: take it before looking for a fill and then in the cache.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>
    /// Whether a fill of <paramref name="key"/> ended at or after <paramref name="lookedAt"/> (and
    /// none has started since). A reader that found no fill in flight and then missed in the cache
    /// asks this: a fill that ended in between stored its bytes after the cache was asked, so the
    /// cache is asked again rather than the remote.
    /// </summary>
    public bool EndedSince(TKey key, long lookedAt) => _flights.TryGetValue(key, out var flight) && flight is Ended ended && ended.At >= lookedAt;

    /// <summary>
    /// Whether a fill of <paramref name="key"/> ended lately, and none is in flight: a miss that
    /// came before its end looks again (the fill stored its bytes), and one that finds the
    /// description it declined (<paramref name="declined"/>: the object is chunked) reads it so.
    /// </summary>
    public bool HasEnded(TKey key, out ObjectInfo? declined)
    {
        var ended = _flights.TryGetValue(key, out var flight) ? flight as Ended : null;
        declined = ended?.Declined;
        return ended is not null;
    }

    /// <summary>Whether the key has an entry: a fill, a GET sent early, or a fill's lately end (an early GET is sent only for a key that has none).</summary>
    public bool Holds(TKey key) => _flights.ContainsKey(key);

    /// <summary>
    /// Sends the key's remote GET now, before the caller's local read has answered, when nothing
    /// is in flight for the key: the first request of the key's fill. Null when something is
    /// (the caller then joins it, once its local read missed). The caller ends it with
    /// <see cref="LetGo"/> or <see cref="TakeBack"/> unless a fill has adopted it.
    /// </summary>
    public EarlyRemoteRead? TryStartEarly(TKey key, EarlyRemoteRead early, Func<CancellationToken, Task<ObjectContent>> open)
    {
        if (!_flights.TryAdd(key, early)) return null; // in flight, or lately ended (the read finds its bytes stored)
        early.Send(open); // only once the key is claimed: a read that lost the claim sent nothing
        return early;
    }

    /// <summary>The read that sent the early GET found the key locally: unless a fill adopted it, it is cancelled and its answer let go.</summary>
    public void LetGo(TKey key, EarlyRemoteRead early)
    {
        if (_flights.TryRemove(new KeyValuePair<TKey, object>(key, early))) early.LetGo();
    }

    /// <summary>
    /// The read that sent the early GET reads the remote for itself (nothing is stored: a stream
    /// straight through): the answer is its own, unless a fill has adopted it already (null: the
    /// caller asks the remote again, or joins that fill).
    /// </summary>
    public Task<ObjectContent>? TakeBack(TKey key, EarlyRemoteRead early, CancellationToken ct) =>
        _flights.TryRemove(new KeyValuePair<TKey, object>(key, early)) ? early.Adopt(ct) : null;

    /// <summary>
    /// Joins the fill in flight, or registers a new one and starts it with <paramref name="start"/>,
    /// handing it the key's early GET if one was sent (the fill takes its answer instead of asking again).
    /// Either way the caller holds a share: it must open a reader or <see cref="RemoteFill.Leave"/>.
    /// A new fill takes one of the <see cref="FillSlots"/> (SlowDown when none is free) until it is over.
    /// </summary>
    /// <param name="lookedAt">
    /// When the caller began its last look for a fill and then in the cache (<see cref="Now"/>);
    /// null when it did not look (it holds an answer of its own to start the fill with).
    /// </param>
    /// <param name="startedBy">Who starts it (<see cref="RemoteFill.StartedBy"/>), known before any other reader can join it.</param>
    /// <returns>
    /// Null, nothing started, when a fill of the key ended since <paramref name="lookedAt"/>: it
    /// stored its bytes after the caller's cache missed, and the caller looks there again. Decided
    /// by the compare-and-swap that would register the new fill, so no fill can begin and end
    /// unseen between the caller's look and its start (a second remote GET of the same bytes).
    /// </returns>
    public (RemoteFill Fill, bool Joined)? JoinOrStart(TKey key, long? lookedAt, Action<RemoteFill, EarlyRemoteRead?> start, object? startedBy = null)
    {
        while (true)
        {
            if (TryJoin(key) is { } joined) return (joined, true);
            var current = _flights.TryGetValue(key, out var found) ? found : null;
            switch (current)
            {
                case Ended ended when ended.At >= lookedAt:
                    return null;
                case RemoteFill { HasFailed: false }:
                    // Over, its last share gone, about to leave the table: its end decides.
                    Thread.Yield();
                    continue;
            }
            slots.Take();
            // Over, before Finished completes, not after: whoever awaits it (a delete, the idle
            // signal) then finds the fill gone from the count and its slot free.
            var fill = new RemoteFill(newSpillPath(), metrics, over: ended =>
            {
                var declined = ended.Declined ? ended.Opened.Result : null;
                if (_flights.TryUpdate(key, new Ended(Now(), declined), ended)) NoteEnded();
                slots.Release();
            }) { StartedBy = startedBy };
            // The early GET becomes this fill's; a failed fill may still be winding down (its
            // local write, its span): it is replaced, not joined; so is an end the caller saw.
            var claimed = current is null ? _flights.TryAdd(key, fill) : _flights.TryUpdate(key, fill, current);
            if (!claimed)
            {
                slots.Release();
                fill.Leave();
                continue;
            }
            if (current is Ended) Interlocked.Decrement(ref _endedCount);
            fill.TryJoin();
            start(fill, current as EarlyRemoteRead);
            return (fill, false);
        }
    }

    /// <summary>Counts an Ended mark, and prunes old ones when there are many (each pass at twice what it left).</summary>
    private void NoteEnded()
    {
        if (Interlocked.Increment(ref _endedCount) < Volatile.Read(ref _pruneAt)) return;
        var now = Now();
        foreach (var (key, flight) in _flights)
            if (flight is Ended ended && Stopwatch.GetElapsedTime(ended.At, now) > EndedFor
                && _flights.TryRemove(new KeyValuePair<TKey, object>(key, flight)))
                Interlocked.Decrement(ref _endedCount);
        Volatile.Write(ref _pruneAt, Math.Max(EndedKept, 2 * Volatile.Read(ref _endedCount)));
    }

    /// <summary>Completes when the fill in flight for <paramref name="key"/> (if any) is over, its local write included.</summary>
    public Task WhenFinished(TKey key) => _flights.TryGetValue(key, out var flight) && flight is RemoteFill fill ? fill.Finished : Task.CompletedTask;

    /// <summary>Fills in flight now (the admin API's report; early GETs no fill has adopted are not fills yet, ended ones are not any more).</summary>
    public int Count => _flights.Values.Count(flight => flight is RemoteFill);
}
