using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage;

/// <summary>The conditional headers of a GET or HEAD (or the copy-source ones of a copy).</summary>
internal sealed record ReadConditions(string? IfMatch, string? IfNoneMatch, DateTimeOffset? IfModifiedSince, DateTimeOffset? IfUnmodifiedSince)
{
    public static readonly ReadConditions None = new(null, null, null, null);

    public bool IsEmpty => IfMatch is null && IfNoneMatch is null && IfModifiedSince is null && IfUnmodifiedSince is null;

    /// <summary>
    /// Throws PreconditionFailed (412) or NotModified (304) as S3 does: If-Match decides over
    /// If-Unmodified-Since, If-None-Match decides over If-Modified-Since, and 412 comes before 304.
    /// </summary>
    public void Evaluate(ObjectInfo info)
    {
        if (IsEmpty) return;
        var modified = TruncateToSeconds(info.LastModified);
        if (IfMatch is not null ? !ETagMatches(IfMatch, info.ETag) : IfUnmodifiedSince is { } u && modified > u)
            throw new StorageException(StorageFault.PreconditionFailed);
        if (IfNoneMatch is not null ? ETagMatches(IfNoneMatch, info.ETag) : IfModifiedSince is { } m && modified <= m)
            throw new StorageException(StorageFault.NotModified).WithValidators(info);
    }

    /// <summary>True when <paramref name="etag"/> is in the header's list (or the list is <c>*</c>).</summary>
    /// <remarks>
    /// Not <c>EntityTagHeaderValue</c>: S3 takes unquoted ETags (some clients send them so) and
    /// compares a weak one as strong, where RFC 9110's parser refuses the first and If-Match's
    /// strong comparison fails the second.
    /// </remarks>
    public static bool ETagMatches(string headerList, string etag)
    {
        var bare = Unquote(etag);
        foreach (var candidate in headerList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var c = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (c == "*" || Unquote(c) == bare) return true;
        }
        return false;
    }

    public static string Unquote(string etag) => etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag;

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);
}
