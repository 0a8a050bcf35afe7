using System.Diagnostics;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay;

/// <summary>The overlay's spans, tagged the same way by every part.</summary>
internal static class OverlaySpans
{
    public static Activity? Start(string name, string bucket, string key)
    {
        var span = OverlayTelemetry.Source.StartActivity(name);
        span?.SetTag(OverlayTelemetry.Tags.Bucket, bucket);
        span?.SetTag(OverlayTelemetry.Tags.Key, key);
        return span;
    }

    /// <summary>A reader that joined a fill in flight gets a span of its own (the fill's span is the leader's).</summary>
    public static Activity? Joiner(string name, string bucket, string key, bool joined) =>
        joined ? Start(name, bucket, key)?.SetTag(OverlayTelemetry.Tags.Coalesced, true) : null;
}
