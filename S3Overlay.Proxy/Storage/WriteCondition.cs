namespace S3Overlay.Storage;

/// <summary>
/// What must hold of the key for a write to commit: S3's <c>If-None-Match: *</c> (no object) and
/// <c>If-Match</c> (the object has this ETag; <c>*</c> is any object). A store checks it in the same
/// step as its commit, so no other write slips in between: otherwise PreconditionFailed, or
/// NoSuchKey for If-Match on a key that holds nothing, as S3 answers, and nothing changes.
/// </summary>
internal sealed record WriteCondition(bool OnlyIfAbsent = false, string? IfMatch = null)
{
    public static readonly WriteCondition None = new();

    public bool IsNone => !OnlyIfAbsent && IfMatch is null;
}
