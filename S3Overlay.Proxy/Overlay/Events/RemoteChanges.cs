using System.Collections.Concurrent;
using S3Overlay.Overlay.Keys;

namespace S3Overlay.Overlay.Events;

/// <summary>
/// The last change the remote announced for each key lately: what orders its events (a duplicate,
/// or one older than an event applied, changes nothing) and what keeps a fill that was reading the
/// old object when the event came from storing it as current (<see cref="Superseded"/>).
/// In-process, a cache of what the events said: what they changed in the local store is the
/// state, and holds for every replica and after a restart.
/// </summary>
/// <remarks>
/// An event is kept <see cref="Kept"/>: longer than a fill of the old object can still be under
/// way, short enough that a change whose own event was lost does not keep refusing its fills. At
/// most <see cref="Capacity"/> keys (as their <see cref="KeyDigest"/>), cleared wholesale when full:
/// an event forgotten so orders nothing, and a late older one then only drops a copy, which the
/// next read fetches again.
/// </remarks>
internal sealed class RemoteChanges(TimeProvider clock)
{
    public static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);
    private const int Capacity = 100_000;

    private sealed record Change(string? Sequencer, bool Removed, string? ETag, DateTimeOffset At);

    private readonly ConcurrentDictionary<UInt128, Change> _last = new();

    /// <summary>
    /// Takes the event as the key's latest unless an event at least as new was taken (by the
    /// sequencers of the two; one without a sequencer is always newer). False: a duplicate or older.
    /// </summary>
    public bool TryTake(RemoteEvent e)
    {
        var id = KeyDigest.Of(e.RemoteBucket, e.Key);
        if (_last.Count >= Capacity) _last.Clear();
        var change = new Change(e.Sequencer, e.Removed, e.ETag, clock.GetUtcNow());
        while (true)
        {
            if (!_last.TryGetValue(id, out var known) || Expired(known))
            {
                if (known is null ? _last.TryAdd(id, change) : _last.TryUpdate(id, change, known)) return true;
                continue;
            }
            if (e.Sequencer is not null && known.Sequencer is not null && Compare(e.Sequencer, known.Sequencer) <= 0) return false;
            if (_last.TryUpdate(id, change, known)) return true;
        }
    }

    /// <summary>
    /// Whether a generation read from the remote (its ETag) is no longer the remote's current
    /// object by an event taken since: the key was removed, or created with another ETag. A fill
    /// of it must not store it as current.
    /// </summary>
    public bool Superseded(string remoteBucket, string key, string etag) =>
        !_last.IsEmpty && _last.TryGetValue(KeyDigest.Of(remoteBucket, key), out var known) && !Expired(known)
        && (known.Removed || known.ETag is { } now && now != Storage.ReadConditions.Unquote(etag));

    private bool Expired(Change change) => clock.GetUtcNow() - change.At >= Kept;

    /// <summary>
    /// S3's order of sequencers of one key: hexadecimal strings, the shorter padded with zeros on
    /// the right, then compared as text (AWS's rule; RGW and MinIO write fixed-length ones).
    /// </summary>
    public static int Compare(string a, string b)
    {
        var length = Math.Max(a.Length, b.Length);
        return string.CompareOrdinal(a.ToUpperInvariant().PadRight(length, '0'), b.ToUpperInvariant().PadRight(length, '0'));
    }
}
