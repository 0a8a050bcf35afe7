using System.Diagnostics.Metrics;

namespace S3Overlay.Telemetry;

/// <summary>
/// The callbacks behind one observable instrument: whoever owns the figure registers a callback,
/// a metrics reader calls them all when it collects. Registration is rare, observation lock-free.
/// </summary>
internal sealed class ObservedValues
{
    private readonly Lock _lock = new();
    private Func<long>[] _callbacks = [];

    public IDisposable Add(Func<long> callback)
    {
        lock (_lock) _callbacks = [.. _callbacks, callback];
        return new Registration(this, callback);
    }

    public IEnumerable<Measurement<long>> Observe()
    {
        foreach (var callback in Volatile.Read(ref _callbacks))
            yield return new Measurement<long>(callback());
    }

    private void Remove(Func<long> callback)
    {
        lock (_lock) _callbacks = [.. _callbacks.Where(c => c != callback)];
    }

    private sealed class Registration(ObservedValues owner, Func<long> callback) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(callback);
        }
    }
}
