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
    // A RemoteFill, or an EarlyRemoteRead no fill has adopted yet.
    private readonly ConcurrentDictionary<TKey, object> _flights = new();

    // When each key's fill last ended (Stopwatch ticks), lately: see EndedSince. Pruned by age
    // when large; an entry lost that way costs at most one remote GET, whose store then finds the bytes there.
    private readonly ConcurrentDictionary<TKey, long> _ended = new();
    private const int EndedKept = 4096;
    private static readonly TimeSpan EndedFor = TimeSpan.FromMinutes(1);

    /// <summary>The fill in flight for <paramref name="key"/>, joined (the caller holds a share), or null.</summary>
    public RemoteFill? TryJoin(TKey key) =>
        _flights.TryGetValue(key, out var flight) && flight is RemoteFill fill && fill.TryJoin() ? fill : null;

    /// <summary>A moment to hand to <see cref="EndedSince"/>: take it before looking for a fill and then in the cache.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>
    /// Whether a fill of <paramref name="key"/> ended at or after <paramref name="lookedAt"/>. A
    /// reader that found no fill in flight and then missed in the cache asks this before starting
    /// one: a fill that ended in between stored its bytes after the cache was asked, so the cache
    /// is asked again rather than the remote.
    /// </summary>
    public bool EndedSince(TKey key, long lookedAt) => _ended.TryGetValue(key, out var at) && at >= lookedAt;

    /// <summary>Whether the remote is being read for <paramref name="key"/>: a fill, or a GET sent early.</summary>
    public bool IsInFlight(TKey key) => _flights.ContainsKey(key);

    /// <summary>
    /// Sends the key's remote GET now, before the caller's local read has answered, when nothing
    /// is in flight for the key: the first request of the key's fill. Null when something is
    /// (the caller then joins it, once its local read missed). The caller ends it with
    /// <see cref="LetGo"/> or <see cref="TakeBack"/> unless a fill has adopted it.
    /// </summary>
    public EarlyRemoteRead? TryStartEarly(TKey key, EarlyRemoteRead early, Func<CancellationToken, Task<ObjectContent>> open)
    {
        if (!_flights.TryAdd(key, early)) return null;
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
    /// <param name="startedBy">Who starts it (<see cref="RemoteFill.StartedBy"/>), known before any other reader can join it.</param>
    public (RemoteFill Fill, bool Joined) JoinOrStart(TKey key, Action<RemoteFill, EarlyRemoteRead?> start, object? startedBy = null)
    {
        while (true)
        {
            if (TryJoin(key) is { } joined) return (joined, true);
            slots.Take();
            var fill = new RemoteFill(newSpillPath(), metrics) { StartedBy = startedBy };
            var current = _flights.TryGetValue(key, out var found) ? found : null;
            // The early GET becomes this fill's; a failed fill may still be winding down (its local write, its span): it is replaced, not joined.
            var claimed = current switch
            {
                null => _flights.TryAdd(key, fill),
                EarlyRemoteRead or RemoteFill { HasFailed: true } => _flights.TryUpdate(key, fill, current),
                _ => false,
            };
            if (!claimed)
            {
                slots.Release();
                fill.Leave();
                continue;
            }
            fill.TryJoin();
            // Before Finished completes, not after: whoever awaits it (a delete, the idle signal)
            // then finds the fill gone from the count and its slot free.
            fill.Over = () =>
            {
                // Noted before the fill leaves the table: whoever finds it gone then finds it ended.
                NoteEnded(key);
                _flights.TryRemove(new KeyValuePair<TKey, object>(key, fill));
                slots.Release();
            };
            start(fill, current as EarlyRemoteRead);
            return (fill, false);
        }
    }

    private void NoteEnded(TKey key)
    {
        var now = Now();
        if (_ended.Count >= EndedKept)
            foreach (var (old, at) in _ended)
                if (Stopwatch.GetElapsedTime(at, now) > EndedFor) _ended.TryRemove(new KeyValuePair<TKey, long>(old, at));
        _ended[key] = now;
    }

    /// <summary>Completes when the fill in flight for <paramref name="key"/> (if any) is over, its local write included.</summary>
    public Task WhenFinished(TKey key) => _flights.TryGetValue(key, out var flight) && flight is RemoteFill fill ? fill.Finished : Task.CompletedTask;

    /// <summary>Fills in flight now (the admin API's report; early GETs no fill has adopted are not fills yet).</summary>
    public int Count => _flights.Values.Count(flight => flight is RemoteFill);
}
