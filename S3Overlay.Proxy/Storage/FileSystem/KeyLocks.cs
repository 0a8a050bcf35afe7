namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Striped in-process locks that order the two renames of a commit (object file, then sidecar)
/// against other commits and sidecar repairs of the same key. Readers do not take them: they
/// check that a sidecar describes the file they opened instead.
/// </summary>
internal sealed class KeyLocks
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> AcquireAsync(string bucket, string key, CancellationToken ct)
    {
        var stripe = _stripes[(uint)HashCode.Combine(bucket, key) % (uint)_stripes.Length];
        await stripe.WaitAsync(ct);
        return new Release(stripe);
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private SemaphoreSlim? _stripe = stripe;
        public void Dispose() => Interlocked.Exchange(ref _stripe, null)?.Release();
    }
}
