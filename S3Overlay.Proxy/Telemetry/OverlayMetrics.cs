using System.Diagnostics.Metrics;

namespace S3Overlay.Telemetry;

/// <summary>
/// One proxy's instruments, on a meter named <c>S3Overlay</c> made by the host's
/// <see cref="IMeterFactory"/>: OTLP export picks every such meter up by name, and two proxies in
/// one process (tests) each count their own, so the status page reads its own proxy's figures.
/// </summary>
internal sealed class OverlayMetrics
{
    private static readonly KeyValuePair<string, object?>[] LocalSource = [new(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Local)];
    private static readonly KeyValuePair<string, object?>[] RemoteSource = [new(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Remote)];
    private static readonly KeyValuePair<string, object?>[] PeerSource = [new(OverlayTelemetry.Tags.Source, OverlayTelemetry.Sources.Peer)];

    /// <summary>
    /// Bucket bounds of the fill latency, in seconds: from a small object on a near remote (ms) to a
    /// large one across the world (minutes). Without them exporters use OpenTelemetry's default
    /// bounds, made for milliseconds, and every fill under 5 s falls into one bucket.
    /// </summary>
    private static readonly double[] FillSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly ObservedValues _activeFills = new();
    private readonly ObservedValues _cacheSizes = new();

    public OverlayMetrics(IMeterFactory meters) : this(meters.Create(OverlayTelemetry.Name))
    {
    }

    private OverlayMetrics(Meter meter)
    {
        Meter = meter;
        Requests = meter.CreateCounter<long>("overlay.requests", "{request}", "Overlay reads by result");
        Bytes = meter.CreateCounter<long>("overlay.bytes", "By", "Bytes served by source");
        RemoteBytesFetched = meter.CreateCounter<long>("overlay.remote.bytes_fetched", "By", "Bytes read from the remote");
        FillDuration = meter.CreateHistogram<double>("overlay.fill.duration", "s", "Time to fill an object or chunk from the remote",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FillSeconds });
        CoalescedWaiters = meter.CreateCounter<long>("overlay.coalesced_waiters", "{request}", "Reads coalesced onto an in-flight fill");
        RemoteErrors = meter.CreateCounter<long>("overlay.remote.errors", "{error}", "Requests to the remote that failed, by error.type");
        EarlyRemoteReads = meter.CreateCounter<long>("overlay.early_remote_reads", "{request}", "Remote GETs started beside the local read of a key not held locally, by overlay.outcome (used, let_go)");
        FillsInFlight = meter.CreateObservableUpDownCounter("overlay.fills.active", _activeFills.Observe, "{fill}", "Fills from the remote in progress");
        CacheSize = meter.CreateObservableGauge("overlay.cache.size", _cacheSizes.Observe, "By", "Bytes cached in the local store");
    }

    /// <summary>
    /// For an overlay built outside a host (unit tests): a meter of its own, shared with nothing.
    /// Its scope is an object nobody else holds: a host's exporter keeps unscoped meters as the
    /// process's own, so without one these figures showed in every host's scrape in the process.
    /// </summary>
    public static OverlayMetrics Standalone() => new(new Meter(OverlayTelemetry.Name, version: null, tags: null, scope: new object()));

    public Meter Meter { get; }

    /// <summary>Requests the overlay answered, by <see cref="OverlayTelemetry.Tags.Result"/>.</summary>
    public Counter<long> Requests { get; }

    /// <summary>Body bytes served, by <see cref="OverlayTelemetry.Tags.Source"/> (<c>local</c>, <c>remote</c> or <c>peer</c>).</summary>
    public Counter<long> Bytes { get; }

    /// <summary>Body bytes read from the remote, served or not (a chunk fill reads the whole chunk for a short range).</summary>
    public Counter<long> RemoteBytesFetched { get; }

    public Histogram<double> FillDuration { get; }

    /// <summary>Readers that joined a fill already in flight instead of asking the remote again.</summary>
    public Counter<long> CoalescedWaiters { get; }

    /// <summary>
    /// Requests to the remote that it answered with an error or did not answer, by
    /// <see cref="OverlayTelemetry.Tags.ErrorType"/>. Not the answers it may give (not found, a
    /// condition not met), not a reader's own cancellation.
    /// </summary>
    public Counter<long> RemoteErrors { get; }

    /// <summary>
    /// Remote GETs started beside the local read of a key the local store was known not to hold
    /// (the overlay's early remote reads, Overlay/Fills/EarlyRemoteRead.cs), by <see cref="OverlayTelemetry.Tags.Outcome"/>:
    /// <c>used</c> by the fill, or <c>let_go</c> because the local store held the key after all.
    /// </summary>
    public Counter<long> EarlyRemoteReads { get; }

    /// <summary>Fills (whole objects or chunks) fetching from the remote now, as reported by <see cref="ObserveFillsInFlight"/> callbacks.</summary>
    public ObservableUpDownCounter<long> FillsInFlight { get; }

    /// <summary>Bytes the overlay keeps in the local store, as reported by <see cref="ObserveCacheSize"/> callbacks.</summary>
    public ObservableGauge<long> CacheSize { get; }

    public void CountRequest(string result) =>
        Requests.Add(1, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Result, result));

    public void CountEarlyRemoteRead(bool used) =>
        EarlyRemoteReads.Add(1, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.Outcome, used ? "used" : "let_go"));

    /// <param name="errorType"><see cref="OverlayTelemetry.RemoteErrorTypes"/>: what went wrong.</param>
    public void CountRemoteError(string errorType) =>
        RemoteErrors.Add(1, new KeyValuePair<string, object?>(OverlayTelemetry.Tags.ErrorType, errorType));

    /// <param name="source"><see cref="OverlayTelemetry.Sources"/>: where the bytes came from.</param>
    public void CountBytesServed(long bytes, string source) =>
        Bytes.Add(bytes, source switch
        {
            OverlayTelemetry.Sources.Local => LocalSource,
            OverlayTelemetry.Sources.Peer => PeerSource,
            _ => RemoteSource,
        });

    /// <summary>
    /// Registers a callback reporting the fills in flight (read only when a reader collects, so
    /// fills pay nothing for it). Dispose the result when its owner goes away.
    /// </summary>
    public IDisposable ObserveFillsInFlight(Func<long> fills) => _activeFills.Add(fills);

    /// <summary>Registers a callback reporting the cache's size in bytes (read only when a reader collects: keep it cheap, e.g. a running total).</summary>
    public IDisposable ObserveCacheSize(Func<long> bytes) => _cacheSizes.Add(bytes);
}
