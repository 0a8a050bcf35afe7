namespace S3Overlay.Tests.Reliability;

/// <summary>
/// What the crash run wrote, key by key: the last version the server acknowledged, and the one
/// in flight when it was killed (which may or may not have landed). A version is a seed: its
/// bytes are the pattern of that seed, its length follows from it, and the object carries it as
/// <c>x-amz-meta-v</c>, so bytes and metadata of two versions are never taken for each other.
/// </summary>
public sealed class CrashLedger
{
    /// <summary>A key's state: null version means absent (never written, or deleted).</summary>
    private sealed class Entry
    {
        public int? Acked;
        public bool InFlight;
        public int? Pending;
    }

    private readonly Dictionary<string, Entry> _keys = new();

    public static long LengthOf(int seed) => 1 + (long)(uint)seed * 7919 % 300_000;

    public IEnumerable<string> Keys { get { lock (_keys) return _keys.Keys.ToArray(); } }

    /// <summary>A write of <paramref name="version"/> (null: a delete) is about to be sent.</summary>
    public void Begin(string key, int? version)
    {
        lock (_keys)
        {
            var entry = _keys.TryGetValue(key, out var e) ? e : _keys[key] = new Entry();
            entry.InFlight = true;
            entry.Pending = version;
        }
    }

    /// <summary>The server acknowledged the write begun last.</summary>
    public void Acked(string key)
    {
        lock (_keys)
        {
            var entry = _keys[key];
            entry.Acked = entry.Pending;
            entry.InFlight = false;
        }
    }

    /// <summary>Whether finding <paramref name="found"/> (null: absent) after a crash is one of the states the key may be in.</summary>
    public bool Allows(string key, int? found)
    {
        lock (_keys)
        {
            var entry = _keys[key];
            return found == entry.Acked || (entry.InFlight && found == entry.Pending);
        }
    }

    /// <summary>Whether a write to the key was in flight (sent, not acknowledged) at the kill.</summary>
    public bool InFlight(string key)
    {
        lock (_keys) return _keys[key].InFlight;
    }

    /// <summary>After a check: the key is what was found, nothing in flight.</summary>
    public void Settle(string key, int? found)
    {
        lock (_keys)
        {
            var entry = _keys[key];
            entry.Acked = found;
            entry.InFlight = false;
        }
    }
}
