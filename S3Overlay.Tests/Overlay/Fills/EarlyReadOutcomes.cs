using System.Diagnostics.Metrics;
using S3Overlay.Telemetry;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Fills;

/// <summary>The proxy's <c>overlay.early_remote_reads</c>, by outcome, from when this is made.</summary>
internal sealed class EarlyReadOutcomes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counted = [];

    public EarlyReadOutcomes(OverlayEnvironment env)
    {
        var meter = env.Part<OverlayMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == "overlay.early_remote_reads") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == OverlayTelemetry.Tags.Outcome)
                    lock (_counted) _counted[(string)tag.Value!] = _counted.GetValueOrDefault((string)tag.Value!) + value;
        });
        _listener.Start();
    }

    public Dictionary<string, long> Counted
    {
        get { lock (_counted) return new Dictionary<string, long>(_counted); }
    }

    public void Dispose() => _listener.Dispose();
}
