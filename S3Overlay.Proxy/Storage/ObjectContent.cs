namespace S3Overlay.Storage;

/// <summary>An open object: its description and a body positioned at the requested range.</summary>
internal sealed class ObjectContent(ObjectInfo info, Stream body, ResolvedRange? range) : IAsyncDisposable
{
    public ObjectInfo Info { get; } = info;

    /// <summary>Exactly the requested bytes: the range when there is one, else the whole object.</summary>
    public Stream Body { get; } = body;

    /// <summary>The satisfied range, or null for the whole object (200, not 206).</summary>
    public ResolvedRange? Range { get; } = range;

    /// <summary>
    /// What reading <see cref="Body"/> to its end without an error proves it by, checked as the
    /// bytes stream by (a remote store's GET): a full-object checksum (<c>crc64nvme</c>, …) or
    /// <c>md5</c>, its plain ETag; null when only its length is checked.
    /// </summary>
    public string? VerifiedBy { get; init; }

    public long Length => Range?.Length ?? Info.Size;

    public ValueTask DisposeAsync() => Body.DisposeAsync();
}
