namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// What the fleet needs to know of an authenticated request, and nothing more of the protocol:
/// the peer mark it carries (<see cref="PeerMark.Header"/>; null when none) and whether it is
/// signed with the root key the replicas share.
/// </summary>
internal readonly record struct PeerCaller(string? Mark, bool SignedByRoot);
