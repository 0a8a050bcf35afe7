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
        public const string ErrorCode = "s3.error.code";
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

    private static readonly ObservedValues ActiveFills = new();
    private static readonly ObservedValues CacheSizes = new();

    /// <summary>Fills (whole objects or chunks) fetching from the remote now, as reported by <see cref="ObserveFillsInFlight"/> callbacks.</summary>
    public static readonly ObservableUpDownCounter<long> FillsInFlight = Meter.CreateObservableUpDownCounter("overlay.fills.active", ActiveFills.Observe, "{fill}", "Fills from the remote in progress");

    /// <summary>Bytes the overlay keeps in the local store, as reported by <see cref="ObserveCacheSize"/> callbacks.</summary>
    public static readonly ObservableGauge<long> CacheSize = Meter.CreateObservableGauge("overlay.cache.size", CacheSizes.Observe, "By", "Bytes cached in the local store");

    /// <summary>
    /// Registers a callback reporting the fills in flight (read only when a reader collects, so
    /// fills pay nothing for it). Dispose the result when its owner goes away.
    /// </summary>
    public static IDisposable ObserveFillsInFlight(Func<long> fills) => ActiveFills.Add(fills);

    /// <summary>Registers a callback reporting the cache's size in bytes (read only when a reader collects: keep it cheap, e.g. a running total).</summary>
    public static IDisposable ObserveCacheSize(Func<long> bytes) => CacheSizes.Add(bytes);
}
