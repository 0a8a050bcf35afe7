namespace S3Overlay.Storage.S3;

/// <summary>
/// The condition a write asks the server to check with its commit: <c>If-None-Match: *</c>, or
/// <c>If-Match</c> with the ETag the server knows the object by (bare, as Ceph RGW before 20 compares it).
/// </summary>
internal readonly record struct ServerCondition(string? IfNoneMatch, string? IfMatch)
{
    public bool Any => IfNoneMatch is not null || IfMatch is not null;

    /// <summary>Whether the key fails the condition when it holds the object the server gives <paramref name="serverETag"/> (null: no object).</summary>
    public bool FailedBy(string? serverETag) => IfNoneMatch is not null
        ? serverETag is not null
        : IfMatch is not null && (serverETag is null || ReadConditions.Unquote(serverETag) != IfMatch);
}
