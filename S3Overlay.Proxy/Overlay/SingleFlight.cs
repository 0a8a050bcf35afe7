using System.Collections.Concurrent;

namespace S3Overlay.Overlay;

/// <summary>
/// At most one <see cref="RemoteFill"/> per key in this process: concurrent misses of one object
/// (or one chunk) join the fill in flight instead of asking the remote again.
/// </summary>
public sealed class SingleFlight<TKey>(string spillDirectory) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, RemoteFill> _fills = new();

    /// <summary>The fill in flight for <paramref name="key"/>, joined (the caller holds a share), or null.</summary>
    public RemoteFill? TryJoin(TKey key) =>
        _fills.TryGetValue(key, out var fill) && fill.TryJoin() ? fill : null;

    /// <summary>
    /// Joins the fill in flight, or registers a new one and starts it with <paramref name="start"/>.
    /// Either way the caller holds a share: it must open a reader or <see cref="RemoteFill.Leave"/>.
    /// </summary>
    public (RemoteFill Fill, bool Joined) JoinOrStart(TKey key, Action<RemoteFill> start)
    {
        while (true)
        {
            if (TryJoin(key) is { } joined) return (joined, true);
            var fill = new RemoteFill(spillDirectory);
            if (!_fills.TryAdd(key, fill))
            {
                fill.Leave();
                continue;
            }
            fill.TryJoin();
            fill.Finished.ContinueWith(_ => _fills.TryRemove(new KeyValuePair<TKey, RemoteFill>(key, fill)), TaskScheduler.Default);
            start(fill);
            return (fill, false);
        }
    }

    /// <summary>Completes when the fill in flight for <paramref name="key"/> (if any) is over, its local write included.</summary>
    public Task WhenFinished(TKey key) => _fills.TryGetValue(key, out var fill) ? fill.Finished : Task.CompletedTask;

    /// <summary>Fills in flight now (the admin API's report).</summary>
    public int Count => _fills.Count;
}
