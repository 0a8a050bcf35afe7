namespace S3Overlay.Storage;

/// <summary>An open object: its description and a body positioned at the requested range.</summary>
public sealed class ObjectContent(ObjectInfo info, Stream body, ResolvedRange? range) : IAsyncDisposable
{
    public ObjectInfo Info { get; } = info;

    /// <summary>Exactly the requested bytes: the range when there is one, else the whole object.</summary>
    public Stream Body { get; } = body;

    /// <summary>The satisfied range, or null for the whole object (200, not 206).</summary>
    public ResolvedRange? Range { get; } = range;

    /// <summary>
    /// Whether reading <see cref="Body"/> to its end without an error proves it is the MD5 its
    /// ETag is (a remote store checks it as the bytes stream by).
    /// </summary>
    public bool Md5Checked { get; init; }

    public long Length => Range?.Length ?? Info.Size;

    public ValueTask DisposeAsync() => Body.DisposeAsync();
}
