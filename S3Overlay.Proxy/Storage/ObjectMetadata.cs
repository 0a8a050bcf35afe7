namespace S3Overlay.Storage;

/// <summary>What travels with an object besides its bytes: content headers, user metadata, checksums, tags.</summary>
internal sealed record ObjectMetadata
{
    // Declared before Empty: static fields initialise in order, and Empty's maps are this one.
    internal static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();

    public static readonly ObjectMetadata Empty = new();

    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }
    /// <summary>The Expires header exactly as the writer sent it (S3 does not parse it).</summary>
    public string? Expires { get; init; }

    /// <summary>User metadata: keys lower-case, without the <c>x-amz-meta-</c> prefix.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = EmptyMap;

    /// <summary>
    /// Checksums by algorithm (<c>crc32</c>, <c>crc32c</c>, <c>sha1</c>, <c>sha256</c>), base64 as on the wire.
    /// </summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = EmptyMap;

    /// <summary>
    /// The object's tags (S3 object tagging), key to value. Stores fill them on writes and GETs;
    /// a HEAD may leave them out (S3's HEAD does not tell them either).
    /// </summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMap;

    /// <summary>
    /// The algorithm a multipart upload promised (<c>x-amz-checksum-algorithm</c>, lower-case):
    /// every part must carry that checksum, and the completed object gets one of its parts'. Null when none was asked for.
    /// </summary>
    public string? ChecksumAlgorithm { get; init; }

    /// <summary><c>COMPOSITE</c> (a checksum of the parts' checksums, <c>…-N</c>) or <c>FULL_OBJECT</c>; null for a plain object's checksums (full object).</summary>
    public string? ChecksumType { get; init; }

    /// <summary>A multipart object's parts in order; null for an object written in one piece (or whose parts the store does not know).</summary>
    public IReadOnlyList<ObjectPart>? Parts { get; init; }

    /// <summary>The object's access control list in the front end's text form; null is private (the owner only).</summary>
    public string? Acl { get; init; }

    /// <summary>The storage class the writer asked for (<c>REDUCED_REDUNDANCY</c>); null for <c>STANDARD</c>.</summary>
    public string? StorageClass { get; init; }

    /// <summary>The version's Object Lock retention (S3 Object Lock); null when it has none.</summary>
    public ObjectLock.ObjectRetention? Retention { get; init; }

    /// <summary>An Object Lock legal hold is on the version: it cannot be removed, whatever its retention says.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool LegalHold { get; init; }

    /// <summary>How the object is encrypted at rest, as the encryption layer describes it to readers; null when it is not. Stores never keep it themselves.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Encryption.ObjectEncryption? Encryption { get; init; }
}
