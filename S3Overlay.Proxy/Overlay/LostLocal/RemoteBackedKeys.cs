using S3Overlay.Overlay.Keys;

namespace S3Overlay.Overlay.LostLocal;

/// <summary>
/// Keys this proxy knows to be the remote's: a read found neither a local object nor a whiteout
/// and was answered from the remote, or found a local copy the cache index says was filled. With
/// the local store down, only these may be read from the remote (<see cref="LocalOutageReads"/>);
/// any other key may be a client's object or a deleted one, which the remote would answer wrongly.
/// </summary>
/// <remarks>
/// A write or delete forgets its key as it starts and again as it ends, and a read learns a key
/// only if no write or delete of it started since the read did: a read racing a write never
/// marks the written key as the remote's. Bounded: two generations of at most half the capacity
/// each, the older dropped whole when the newer fills (a key learned again moves to the newer),
/// so the keys read lately stay known. Keys are kept as their <see cref="KeyDigest"/>, 16 bytes
/// whatever their length: a wrong answer would let a client's key be read from the remote while
/// the local store is down, at a chance of about 2^-128.
/// </remarks>
internal sealed class RemoteBackedKeys(int capacity = RemoteBackedKeys.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    // Value 0: the remote's. Any other value: forgotten at that stamp (see Forget).
    private const long Known = 0;

    private readonly Lock _lock = new();
    private Dictionary<UInt128, long> _newer = new();
    private Dictionary<UInt128, long> _older = new();
    private long _stamp;

    /// <summary>Taken as a read starts, for <see cref="Learn"/>.</summary>
    public long Begin() => Interlocked.Read(ref _stamp);

    /// <summary>A read that began at <paramref name="begun"/> found the key to be the remote's.</summary>
    public void Learn(string bucket, string key, long begun)
    {
        var id = KeyDigest.Of(bucket, key);
        lock (_lock)
        {
            if (TryFind(id, out var state) && state != Known && state > begun) return;
            Put(id, Known);
        }
    }

    /// <summary>The key may no longer be the remote's (a write or delete of it starts or ended).</summary>
    public void Forget(string bucket, string key)
    {
        var id = KeyDigest.Of(bucket, key);
        var stamp = Interlocked.Increment(ref _stamp);
        lock (_lock) Put(id, stamp);
    }

    /// <summary>A read found the key to be a client's object: not the remote's (nothing is kept for a key never known).</summary>
    public void Drop(string bucket, string key)
    {
        var id = KeyDigest.Of(bucket, key);
        lock (_lock)
        {
            if (_newer.TryGetValue(id, out var state) && state == Known) _newer.Remove(id);
            if (_older.TryGetValue(id, out state) && state == Known) _older.Remove(id);
        }
    }

    public bool Contains(string bucket, string key)
    {
        var id = KeyDigest.Of(bucket, key);
        lock (_lock) return TryFind(id, out var state) && state == Known;
    }

    private bool TryFind(UInt128 id, out long state) => _newer.TryGetValue(id, out state) || _older.TryGetValue(id, out state);

    private void Put(UInt128 id, long state)
    {
        _older.Remove(id);
        _newer[id] = state;
        if (_newer.Count < Math.Max(1, capacity / 2)) return;
        (_older, _newer) = (_newer, _older);
        _newer.Clear();
    }
}
