namespace S3Overlay.Storage;

/// <param name="StartAfter">Resume after this key or common prefix (exclusive).</param>
internal sealed record ListRequest(string Prefix = "", string? Delimiter = null, string? StartAfter = null, int MaxKeys = 1000)
{
    /// <summary>The common prefix <paramref name="key"/> rolls up into at this request's delimiter; null when it does not.</summary>
    public string? CommonPrefixOf(string key) => CommonPrefixOf(key, Prefix, Delimiter);

    /// <summary>Up to and including the first delimiter after the prefix; null without a delimiter or one after the prefix.</summary>
    public static string? CommonPrefixOf(string key, string prefix, string? delimiter)
    {
        if (string.IsNullOrEmpty(delimiter)) return null;
        var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return at < 0 ? null : key[..(at + delimiter.Length)];
    }
}

/// <summary>One page of a listing. Objects carry Key, Size, ETag and LastModified; Metadata may be empty.</summary>
/// <param name="NextStartAfter">The last entry (key or common prefix) of this page when truncated.</param>
internal sealed record ListPage(IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? NextStartAfter)
{
    /// <summary>
    /// Part of the page is the overlay's remembered copy of the remote's answer, served because
    /// the remote failed (stale-if-error): the listing handler says so in a response header.
    /// </summary>
    public bool Stale { get; init; }

    /// <summary>
    /// The remote is down and its part of the page is what the local store holds of it
    /// (S3_OVERLAY_DEGRADED_LISTINGS): the listing handler says so in a response header.
    /// </summary>
    public bool Degraded { get; init; }
}
