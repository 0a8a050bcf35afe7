namespace S3Overlay.Storage;

internal sealed record ObjectReadRequest(ByteRange? Range, ReadConditions Conditions)
{
    public static readonly ObjectReadRequest Whole = new(null, ReadConditions.None);

    /// <summary>
    /// The mark another server put on this read when it passed it on to this one (a replica of a
    /// fleet forwarding a miss to its owner); null for a client's own read. Opaque to the stores:
    /// a store that wraps another passes it on, and only the layer above that set it reads it.
    /// </summary>
    public string? Via { get; init; }

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
