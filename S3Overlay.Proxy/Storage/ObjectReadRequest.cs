namespace S3Overlay.Storage;

public sealed record ObjectReadRequest(ByteRange? Range, ReadConditions Conditions)
{
    public static readonly ObjectReadRequest Whole = new(null, ReadConditions.None);

    /// <summary>Whether, and as what, another replica of the fleet forwarded this read to this one, its owner.</summary>
    public PeerHop Hop { get; init; }

    public bool FromPeer => Hop != PeerHop.None;

    /// <summary>The customer's key (SSE-C) the reader sent, which an object encrypted with it needs; null when none was sent.</summary>
    public Encryption.ObjectEncryption? Encryption { get; init; }

    /// <summary>
    /// Whether a whole body from an S3 server must be proven by the MD5 its plain ETag is, when
    /// the server offers no cheaper full-object checksum (a CRC is checked whenever offered). On
    /// for what is kept (a fill, the overlay's records and index), so a corrupt body is never
    /// stored. Off for a client's read, whose bytes pass straight on as they would from the
    /// server itself: over RGW the MD5 was half the proxy's CPU for a warm 256 KiB GET (0.4-0.5 ms
    /// of 0.8-1.0 ms a request) and a third of the time it added to RGW's own GET.
    /// </summary>
    public bool ProveByMd5 { get; init; } = true;

    /// <summary>
    /// An ETag the store may answer NotModified for (its ETag validator this one) before it looks
    /// at the range or the read's conditions: the overlay asks so of the local store for the
    /// marker of an object cached in chunks, so a read of the key learns in its one request that
    /// the key holds the marker, where a range the marker's few bytes cannot satisfy would cost a
    /// look more. A store that does not use it (the embedded one, where a look is cheap) answers
    /// as it would without.
    /// </summary>
    public string? NotModifiedIfETag { get; init; }

    /// <summary>The same read, as a client's: its body passes straight on (<see cref="ProveByMd5"/> off).</summary>
    public ObjectReadRequest ForClient() => this with { ProveByMd5 = false };
}

/// <summary>
/// What a read is to a fleet: a client's (<see cref="None"/>); a miss of an object forwarded to its
/// owner (<see cref="Object"/>), which fills it itself but may still ask the owners of its chunks;
/// or one chunk forwarded to its owner (<see cref="Chunk"/>), which asks no one. So a read crosses
/// the fleet at most twice, and never goes round it.
/// </summary>
public enum PeerHop { None, Object, Chunk }
