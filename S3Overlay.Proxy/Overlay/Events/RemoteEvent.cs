namespace S3Overlay.Overlay.Events;

/// <summary>What the remote says happened to one of its objects (one record of an S3 event notification).</summary>
/// <param name="RemoteBucket">The remote's bucket, as the remote names it.</param>
/// <param name="Key">The object's key, decoded.</param>
/// <param name="Removed">An <c>ObjectRemoved:*</c> event; else <c>ObjectCreated:*</c>.</param>
/// <param name="ETag">The new object's ETag, unquoted (created only; null when the event has none).</param>
/// <param name="Sequencer">The remote's order of events of one key (hex, compared at equal length); null when absent.</param>
/// <param name="OpaqueData">The topic's opaque data, copied into every event (RGW's <c>OpaqueData</c>).</param>
internal sealed record RemoteEvent(string RemoteBucket, string Key, bool Removed, string? ETag, string? Sequencer, string EventName, string? OpaqueData);

/// <summary>How an event was taken.</summary>
internal enum EventOutcome
{
    /// <summary>Applied: a cached copy older than the event is no longer served (or there was none).</summary>
    Applied,
    /// <summary>Older than, or the same as, an event of its key already applied.</summary>
    Stale,
    /// <summary>For a remote bucket no local bucket reads.</summary>
    Unmapped,
    /// <summary>Neither ObjectCreated nor ObjectRemoved (a restore, a replication, a lifecycle transition).</summary>
    NotAChange,
}
