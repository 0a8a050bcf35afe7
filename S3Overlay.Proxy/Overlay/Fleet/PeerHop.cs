namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// What a read is to a fleet: a client's (<see cref="None"/>); a miss of an object forwarded to its
/// owner (<see cref="Object"/>), which fills it itself but may still ask the owners of its chunks;
/// or one chunk forwarded to its owner (<see cref="Chunk"/>), which asks no one. So a read crosses
/// the fleet at most twice, and never goes round it. A read carries it to the owner as its
/// <see cref="PeerMark"/>.
/// </summary>
internal enum PeerHop { None, Object, Chunk }
