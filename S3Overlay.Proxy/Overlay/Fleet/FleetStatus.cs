namespace S3Overlay.Overlay.Fleet;

/// <summary>The fleet as <c>/_overlay/status</c> shows it: the replicas, their state, and where misses were filled.</summary>
/// <param name="Forwarded">Misses this replica forwarded to their owner, answered.</param>
/// <param name="FilledHere">Misses this replica read from the remote itself.</param>
/// <param name="FilledForPeers">Of those, the ones a peer forwarded to this replica, their owner.</param>
internal sealed record FleetStatus(string Self, IReadOnlyList<FleetStatus.PeerFigures> Peers, long Forwarded, long FilledHere, long FilledForPeers)
{
    /// <param name="State"><c>self</c>, <c>up</c>, or <c>down</c> (skipped for a while: it did not answer).</param>
    /// <param name="Forwarded">Misses forwarded to it and answered.</param>
    /// <param name="Failures">Times it did not answer.</param>
    public sealed record PeerFigures(string Url, string State, long Forwarded, long Failures);

    public static FleetStatus Of(FleetRouting fleet) => new(
        fleet.Peers.Self.Url.ToString(),
        [.. fleet.Peers.All.Select(p => new PeerFigures(p.Url.ToString(), p.State, p.Forwarded, p.Failures))],
        fleet.Forwarded, fleet.FilledHere, fleet.FilledForPeers);
}
