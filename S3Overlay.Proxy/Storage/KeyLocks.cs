namespace S3Overlay.Storage;

/// <summary>
/// In-process locks, one per (bucket, name) in use. The embedded store's order the two renames of
/// a commit (object file, then sidecar) against other commits and sidecar repairs of the same key,
/// and the steps of one multipart upload; readers do not take them (they check that a sidecar
/// describes the file they opened instead). The notifying layer's order a key's writes with their
/// events. Not striped: completing one big upload holds its lock for the whole concatenation, and
/// must not stall another upload that would share its stripe.
/// </summary>
internal sealed class KeyLocks
{
    private readonly Dictionary<(string Bucket, string Name), Entry> _held = new();

    public async Task<IDisposable> AcquireAsync(string bucket, string name, CancellationToken ct)
    {
        var id = (bucket, name);
        var entry = Enter(id);
        try
        {
            await entry.Gate.WaitAsync(ct);
        }
        catch
        {
            Leave(id, entry);
            throw;
        }
        return new Release(this, id, entry);
    }

    /// <summary>The lock when no one holds it; null, without waiting, when someone does.</summary>
    public IDisposable? TryAcquire(string bucket, string name)
    {
        var id = (bucket, name);
        var entry = Enter(id);
        if (entry.Gate.Wait(0)) return new Release(this, id, entry);
        Leave(id, entry);
        return null;
    }

    /// <summary>The entry of <paramref name="id"/>, made if none is in use, counted as used until <see cref="Leave"/>.</summary>
    private Entry Enter((string, string) id)
    {
        lock (_held)
        {
            if (!_held.TryGetValue(id, out var entry)) _held[id] = entry = new Entry();
            entry.Users++;
            return entry;
        }
    }

    private void Leave((string, string) id, Entry entry)
    {
        lock (_held)
            if (--entry.Users == 0) _held.Remove(id);
    }

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    private sealed class Release(KeyLocks owner, (string, string) id, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            entry.Gate.Release();
            owner.Leave(id, entry);
        }
    }
}
