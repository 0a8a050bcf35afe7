using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace S3Overlay.Telemetry;

/// <summary>
/// The telemetry contract (DESIGN.md): one ActivitySource and one Meter, both named
/// <c>S3Overlay</c>, with the span, attribute and instrument names every part uses.
/// Static, as .NET's own sources are: an unobserved source costs a null check.
/// </summary>
public static class OverlayTelemetry
{
    public const string Name = "S3Overlay";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Span names, one per overlay decision.</summary>
    public static class Spans
    {
        public const string LocalHit = "overlay.local_hit";
        public const string RemoteFill = "overlay.remote_fill";
        public const string ChunkHit = "overlay.chunk_hit";
        public const string ChunkFill = "overlay.chunk_fill";
        public const string RemoteMiss = "overlay.remote_miss";
    }

    /// <summary>Attribute names on spans and metrics.</summary>
    public static class Tags
    {
        public const string Bucket = "s3.bucket";
        public const string Key = "s3.key";
        public const string Operation = "s3.operation";
        public const string Bytes = "overlay.bytes";
        public const string Cached = "overlay.cached";
        public const string ChunkIndex = "overlay.chunk.index";
        public const string Coalesced = "overlay.coalesced";
        public const string Result = "overlay.result";
        public const string Source = "overlay.source";
    }

    /// <summary>Values of <see cref="Tags.Result"/>.</summary>
    public static class Results
    {
        public const string LocalHit = "local_hit";
        public const string RemoteFill = "remote_fill";
        public const string Chunked = "chunked";
        public const string Miss = "miss";
    }

    /// <summary>Values of <see cref="Tags.Source"/>: where the served bytes came from.</summary>
    public static class Sources
    {
        public const string Local = "local";
        public const string Remote = "remote";
    }

    /// <summary>Requests the overlay answered, by <see cref="Tags.Result"/>.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("overlay.requests", "{request}", "Overlay reads by result");

    /// <summary>Body bytes served, by <see cref="Tags.Source"/> (<c>local</c> or <c>remote</c>).</summary>
    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>("overlay.bytes", "By", "Bytes served by source");

    /// <summary>Body bytes read from the remote, served or not (a chunk fill reads the whole chunk for a short range).</summary>
    public static readonly Counter<long> RemoteBytesFetched = Meter.CreateCounter<long>("overlay.remote.bytes_fetched", "By", "Bytes read from the remote");

    public static readonly Histogram<double> FillDuration = Meter.CreateHistogram<double>("overlay.fill.duration", "s", "Time to fill an object or chunk from the remote");

    /// <summary>Readers that joined a fill already in flight instead of asking the remote again.</summary>
    public static readonly Counter<long> CoalescedWaiters = Meter.CreateCounter<long>("overlay.coalesced_waiters", "{request}", "Reads coalesced onto an in-flight fill");

    /// <summary>Fills (whole objects or chunks) fetching from the remote right now: +1 when one starts, -1 when it ends, whatever the outcome.</summary>
    public static readonly UpDownCounter<long> FillsInFlight = Meter.CreateUpDownCounter<long>("overlay.fills.active", "{fill}", "Fills from the remote in progress");

    private static readonly Lock CacheSizeLock = new();
    private static Func<long>[] _cacheSizeCallbacks = [];

    /// <summary>Bytes the overlay keeps in the local store, as reported by <see cref="ObserveCacheSize"/> callbacks; read when a reader collects.</summary>
    public static readonly ObservableGauge<long> CacheSize = Meter.CreateObservableGauge("overlay.cache.size", ObserveCacheSizes, "By", "Bytes cached in the local store");

    /// <summary>
    /// Registers the overlay's cache-size callback (called only when a reader collects: keep it
    /// cheap, e.g. a running total). Dispose the result when the overlay goes away.
    /// </summary>
    public static IDisposable ObserveCacheSize(Func<long> bytes)
    {
        lock (CacheSizeLock) _cacheSizeCallbacks = [.. _cacheSizeCallbacks, bytes];
        return new Registration(() =>
        {
            lock (CacheSizeLock) _cacheSizeCallbacks = [.. _cacheSizeCallbacks.Where(c => c != bytes)];
        });
    }

    private static IEnumerable<Measurement<long>> ObserveCacheSizes()
    {
        foreach (var callback in Volatile.Read(ref _cacheSizeCallbacks))
            yield return new Measurement<long>(callback());
    }

    private sealed class Registration(Action unregister) : IDisposable
    {
        private Action? _unregister = unregister;

        public void Dispose() => Interlocked.Exchange(ref _unregister, null)?.Invoke();
    }
}
