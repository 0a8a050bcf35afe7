using System.Collections.Concurrent;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay.Fills;

/// <summary>
/// At most one <see cref="RemoteFill"/> per key in this process: concurrent misses of one object
/// (or one chunk) join the fill in flight instead of asking the remote again.
/// </summary>
/// <param name="newSpillPath">Where each new fill's spill file goes.</param>
internal sealed class SingleFlight<TKey>(Func<string> newSpillPath, FillSlots slots, OverlayMetrics metrics) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, RemoteFill> _fills = new();

    /// <summary>The fill in flight for <paramref name="key"/>, joined (the caller holds a share), or null.</summary>
    public RemoteFill? TryJoin(TKey key) =>
        _fills.TryGetValue(key, out var fill) && fill.TryJoin() ? fill : null;

    /// <summary>Whether a fill of <paramref name="key"/> is in flight (not joined).</summary>
    public bool IsInFlight(TKey key) => _fills.ContainsKey(key);

    /// <summary>
    /// Joins the fill in flight, or registers a new one and starts it with <paramref name="start"/>.
    /// Either way the caller holds a share: it must open a reader or <see cref="RemoteFill.Leave"/>.
    /// A new fill takes one of the <see cref="FillSlots"/> (SlowDown when none is free) until it is over.
    /// </summary>
    /// <param name="startedBy">Who starts it (<see cref="RemoteFill.StartedBy"/>), known before any other reader can join it.</param>
    public (RemoteFill Fill, bool Joined) JoinOrStart(TKey key, Action<RemoteFill> start, object? startedBy = null)
    {
        while (true)
        {
            if (TryJoin(key) is { } joined) return (joined, true);
            slots.Take();
            var fill = new RemoteFill(newSpillPath(), metrics) { StartedBy = startedBy };
            // A failed fill may still be winding down (its local write, its span): it is replaced, not joined.
            if (!_fills.TryAdd(key, fill) && !(_fills.TryGetValue(key, out var current) && current.HasFailed && _fills.TryUpdate(key, fill, current)))
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
                _fills.TryRemove(new KeyValuePair<TKey, RemoteFill>(key, fill));
                slots.Release();
            };
            start(fill);
            return (fill, false);
        }
    }

    /// <summary>Completes when the fill in flight for <paramref name="key"/> (if any) is over, its local write included.</summary>
    public Task WhenFinished(TKey key) => _fills.TryGetValue(key, out var fill) ? fill.Finished : Task.CompletedTask;

    /// <summary>Fills in flight now (the admin API's report).</summary>
    public int Count => _fills.Count;
}
