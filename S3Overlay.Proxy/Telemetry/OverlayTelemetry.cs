using System.Diagnostics;

namespace S3Overlay.Telemetry;

/// <summary>
/// The telemetry contract (DESIGN.md): one ActivitySource and one Meter, both named
/// <c>S3Overlay</c>, with the span and attribute names every part uses. The ActivitySource is
/// static, as .NET's own are (an unobserved source costs a null check; a trace belongs to its
/// request, not to a proxy); the instruments are per proxy (<see cref="OverlayMetrics"/>).
/// </summary>
internal static class OverlayTelemetry
{
    public const string Name = "S3Overlay";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Span names, one per overlay decision.</summary>
    public static class Spans
    {
        public const string LocalHit = "overlay.local_hit";
        public const string RemoteFill = "overlay.remote_fill";
        public const string ChunkHit = "overlay.chunk_hit";
        public const string ChunkFill = "overlay.chunk_fill";
        public const string RemoteMiss = "overlay.remote_miss";
        /// <summary>A miss this replica of a fleet forwarded to the replica that owns the object (<see cref="Tags.Owner"/>).</summary>
        public const string ForwardedFill = "overlay.forwarded_fill";
        /// <summary>A remote GET started beside the local read of a key not held locally (its HTTP span is this one's child); a fill may take its answer.</summary>
        public const string EarlyRemoteRead = "overlay.early_remote_read";
        /// <summary>A change event of the remote's applied: the cached copy of the key dropped (<see cref="Tags.Dropped"/>) unless it was the announced generation.</summary>
        public const string RemoteEvent = "overlay.remote_event";
        /// <summary>A reconcile of what is cached with the remote's listings (at start, after the event channel reconnected).</summary>
        public const string RemoteReconcile = "overlay.remote_reconcile";
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
        /// <summary>What a remote body was checked by: a full-object checksum's algorithm (<c>crc64nvme</c>, …), <c>md5</c>, or <c>length</c>.</summary>
        public const string VerifiedBy = "overlay.verified_by";
        /// <summary>The URL of the fleet's replica that owns the object a forwarded miss asked.</summary>
        public const string Owner = "overlay.owner";
        /// <summary>What kind of failure a remote error was (<see cref="RemoteErrorTypes"/>), as OpenTelemetry's conventions name it.</summary>
        public const string ErrorType = "error.type";
        /// <summary>What became of an early remote read: <c>used</c> or <c>let_go</c>.</summary>
        public const string Outcome = "overlay.outcome";
        public const string EventName = "overlay.event.name";
        public const string Dropped = "overlay.dropped";
    }

    /// <summary>Values of <see cref="Tags.Result"/>.</summary>
    public static class Results
    {
        public const string LocalHit = "local_hit";
        public const string RemoteFill = "remote_fill";
        public const string Chunked = "chunked";
        public const string Miss = "miss";
        public const string Forwarded = "forwarded";
    }

    /// <summary>Values of <see cref="Tags.ErrorType"/> on <c>overlay.remote.errors</c>.</summary>
    public static class RemoteErrorTypes
    {
        /// <summary>No answer: the connection failed, the remote timed out, or it said it is unavailable (503).</summary>
        public const string Unreachable = "unreachable";
        /// <summary>An answer that is an error: refused (403), broken (500), or not readable.</summary>
        public const string ErrorAnswer = "error_answer";
    }

    /// <summary>Values of <see cref="Tags.Source"/>: where the served bytes came from.</summary>
    public static class Sources
    {
        public const string Local = "local";
        public const string Remote = "remote";
        /// <summary>Another replica of the fleet, which owns the object.</summary>
        public const string Peer = "peer";
    }
}
