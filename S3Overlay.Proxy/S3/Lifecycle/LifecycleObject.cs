namespace S3Overlay.S3.Lifecycle;

/// <summary>
/// One version of a key as a rule sees it. Without versioning every object is its key's only,
/// current version; the other fields say what a versioned bucket's scan knows of the version.
/// </summary>
/// <param name="Tags">Null when not read yet: a rule with a tag filter cannot be decided without them.</param>
/// <param name="BecameNoncurrent">When the next newer version was written (its successor's creation); null for the current version.</param>
/// <param name="NewerNoncurrent">How many noncurrent versions of the key are newer than this one.</param>
/// <param name="Versions">How many versions the key has, delete markers included.</param>
internal sealed record LifecycleObject(
    string Key,
    long Size,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string>? Tags = null,
    bool IsDeleteMarker = false,
    DateTimeOffset? BecameNoncurrent = null,
    int NewerNoncurrent = 0,
    int Versions = 1)
{
    public bool IsCurrent => BecameNoncurrent is null;
}

/// <summary>What a scan does to one version.</summary>
internal enum LifecycleActionKind
{
    /// <summary>Expire the current version: a plain delete (a delete marker, once versioning is on).</summary>
    ExpireCurrent,
    /// <summary>Remove this noncurrent version for good.</summary>
    DeleteNoncurrent,
    /// <summary>Remove this delete marker, the last version of its key.</summary>
    DeleteExpiredMarker,
}

/// <param name="Due">When it falls due (the <c>expiry-date</c> of <c>x-amz-expiration</c>).</param>
internal sealed record LifecycleAction(LifecycleActionKind Kind, string RuleId, DateTimeOffset Due);
