namespace S3Overlay.Storage;

public sealed record ObjectReadRequest(ByteRange? Range, ReadConditions Conditions)
{
    public static readonly ObjectReadRequest Whole = new(null, ReadConditions.None);

    /// <summary>Whether, and as what, another replica of the fleet forwarded this read to this one, its owner.</summary>
    public PeerHop Hop { get; init; }

    public bool FromPeer => Hop != PeerHop.None;

    /// <summary>The customer's key (SSE-C) the reader sent, which an object encrypted with it needs; null when none was sent.</summary>
    public Encryption.ObjectEncryption? Encryption { get; init; }
}

/// <summary>
/// What a read is to a fleet: a client's (<see cref="None"/>); a miss of an object forwarded to its
/// owner (<see cref="Object"/>), which fills it itself but may still ask the owners of its chunks;
/// or one chunk forwarded to its owner (<see cref="Chunk"/>), which asks no one. So a read crosses
/// the fleet at most twice, and never goes round it.
/// </summary>
public enum PeerHop { None, Object, Chunk }
