namespace S3Overlay.Storage;

/// <summary>What a writer says about the body it sends, besides the bytes.</summary>
internal sealed record ObjectWrite
{
    public static readonly ObjectWrite Empty = new();

    public ObjectMetadata Metadata { get; init; } = ObjectMetadata.Empty;

    /// <summary>The length the body must have; a shorter or longer body fails with IncompleteBody and stores nothing.</summary>
    public long? ContentLength { get; init; }

    /// <summary>Base64 MD5 the body must have (Content-MD5); a mismatch fails with BadDigest and stores nothing.</summary>
    public string? ContentMD5 { get; init; }

    /// <summary>
    /// An ETag to keep instead of computing one (the overlay keeps the remote's). Quoted.
    /// </summary>
    public string? ETag { get; init; }

    /// <summary>
    /// Commit only if no object exists under the key (S3's <c>If-None-Match: *</c>); otherwise
    /// PreconditionFailed and nothing changes. The overlay's fills write this way, so a client's
    /// write that lands while the remote is being read always wins over the fill.
    /// </summary>
    public bool OnlyIfAbsent { get; init; }

    /// <summary>
    /// Commit only if the object under the key has this ETag now (S3's <c>If-Match</c> on a
    /// write); otherwise PreconditionFailed and nothing changes. The overlay refreshes a stale
    /// copy this way, so it never replaces what a client wrote since. Quoted.
    /// </summary>
    public string? IfMatch { get; init; }

    /// <summary><see cref="OnlyIfAbsent"/> and <see cref="IfMatch"/> as the condition a store checks with its commit.</summary>
    public WriteCondition Condition => new(OnlyIfAbsent, IfMatch);

    /// <summary>A Last-Modified to keep instead of now (the overlay keeps the remote's).</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>
    /// Checksums that arrive in a trailer are known only when the body has been read to its end:
    /// stores read this after draining the body, and keep what it returns with the object.
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>>? TrailingChecksums { get; init; }

    /// <summary>
    /// What of the write must survive a power cut: <see cref="Durability.Flushed"/> (the default)
    /// for everything a client writes; less for what the overlay can fetch again.
    /// </summary>
    public Durability Durability { get; init; } = Durability.Flushed;

    /// <summary>The encryption the writer asked for (SSE-S3, or SSE-C with its key); null for the bucket's default.</summary>
    public Encryption.ObjectEncryption? Encryption { get; init; }
}
