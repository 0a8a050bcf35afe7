using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace S3Overlay.Telemetry.Status;

/// <summary>
/// The overlay's figures since start, for <c>/_overlay/status</c>. It listens to the
/// <c>S3Overlay</c> meter in process, so the figures are there whether or not OTLP export is on,
/// and the overlay pays nothing beyond the metric calls it makes anyway (one interlocked add each).
/// </summary>
/// <remarks>
/// It listens to its own proxy's meter only (<see cref="OverlayMetrics"/>): two proxies in one
/// process keep their figures apart. It listens, and samples the gauges, from the host's start
/// (a hosted service), not from its construction.
/// </remarks>
internal sealed class OverlayStatistics : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly OverlayMetrics _metrics;
    private readonly DateTimeOffset _since;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _requests = new(StringComparer.Ordinal);
    private readonly Lock _observeLock = new();
    private long _localBytes, _remoteBytes, _fetchedBytes, _fills, _fillMicroseconds, _coalesced;

    // Fills in flight are a gauge, seen only when looked at: look every few seconds for the history.
    private static readonly TimeSpan GaugeInterval = TimeSpan.FromSeconds(10);
    private ITimer? _gaugeSampler;

    /// <summary>The last hour, minute by minute, for the status page's charts.</summary>
    public MinuteHistory History { get; }

    // Observable instruments report only during Observe(), under its lock: one measurement per registered callback.
    private long? _fillsInFlight, _cacheSize;

    public OverlayStatistics(TimeProvider time, OverlayMetrics metrics)
    {
        _time = time;
        _metrics = metrics;
        _since = time.GetUtcNow();
        History = new MinuteHistory(time);
        // The contract's results are always listed, even at zero.
        foreach (var result in (string[])[OverlayTelemetry.Results.LocalHit, OverlayTelemetry.Results.RemoteFill, OverlayTelemetry.Results.Chunked, OverlayTelemetry.Results.Miss])
            _requests[result] = new StrongBox<long>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
    }

    public Task StartAsync(CancellationToken ct)
    {
        _listener.Start();
        _gaugeSampler = _time.CreateTimer(_ => Observe(), null, GaugeInterval, GaugeInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _gaugeSampler?.Dispose();
        return Task.CompletedTask;
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument == _metrics.Requests)
        {
            var result = TagValue(tags, OverlayTelemetry.Tags.Result) ?? "unknown";
            Interlocked.Add(ref _requests.GetOrAdd(result, static _ => new StrongBox<long>()).Value, value);
            History.AddReads(hits: result == OverlayTelemetry.Results.LocalHit ? value : 0, found: result == OverlayTelemetry.Results.Miss ? 0 : value);
        }
        else if (instrument == _metrics.Bytes)
        {
            var remote = TagValue(tags, OverlayTelemetry.Tags.Source) == OverlayTelemetry.Sources.Remote;
            Interlocked.Add(ref remote ? ref _remoteBytes : ref _localBytes, value);
            History.AddBytes(local: !remote, value);
        }
        else if (instrument == _metrics.RemoteBytesFetched) Interlocked.Add(ref _fetchedBytes, value);
        else if (instrument == _metrics.CoalescedWaiters) Interlocked.Add(ref _coalesced, value);
        else if (instrument == _metrics.FillsInFlight) _fillsInFlight = (_fillsInFlight ?? 0) + value;
        else if (instrument == _metrics.CacheSize) _cacheSize = (_cacheSize ?? 0) + value;
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument != _metrics.FillDuration) return;
        Interlocked.Increment(ref _fills);
        Interlocked.Add(ref _fillMicroseconds, (long)(value * 1_000_000));
    }

    private static string? TagValue(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
            if (tag.Key == name) return tag.Value as string;
        return null;
    }

    /// <summary>The figures now; asks the observable instruments' callbacks for their current values.</summary>
    public OverlayStatus Observe()
    {
        long? fillsInFlight, cacheSize;
        lock (_observeLock)
        {
            _fillsInFlight = _cacheSize = null;
            _listener.RecordObservableInstruments();
            (fillsInFlight, cacheSize) = (_fillsInFlight, _cacheSize);
        }
        History.SeeFillsInFlight(fillsInFlight ?? 0);
        var fills = Interlocked.Read(ref _fills);
        return new OverlayStatus(
            Since: _since,
            Now: _time.GetUtcNow(),
            RequestsByResult: _requests.ToDictionary(r => r.Key, r => Interlocked.Read(ref r.Value.Value), StringComparer.Ordinal),
            LocalBytes: Interlocked.Read(ref _localBytes),
            RemoteBytes: Interlocked.Read(ref _remoteBytes),
            FetchedBytes: Interlocked.Read(ref _fetchedBytes),
            FillsInFlight: fillsInFlight ?? 0,
            FillsCompleted: fills,
            AverageFillSeconds: fills == 0 ? null : Interlocked.Read(ref _fillMicroseconds) / 1e6 / fills,
            CoalescedWaiters: Interlocked.Read(ref _coalesced),
            CacheSizeBytes: cacheSize);
    }

    public void Dispose()
    {
        _gaugeSampler?.Dispose();
        _listener.Dispose();
    }
}
