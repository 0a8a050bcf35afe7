namespace S3Overlay.Storage;

/// <summary>
/// How a delete is asked for: <see cref="BypassGovernance"/> lets it remove a version under
/// GOVERNANCE retention (asked for and allowed); <see cref="IfMatch"/> is S3's conditional delete:
/// the object deleted (without a version id, the current one; with one, that version) must have
/// this ETag (<c>*</c>: any object). A store checks it in the same step as the delete, so no write
/// slips in between: otherwise PreconditionFailed, or NoSuchKey where the key holds no object (a
/// delete marker is none), and nothing changes. A version that does not exist is no error, as
/// without the condition.
/// </summary>
internal sealed record ObjectDelete(bool BypassGovernance = false, string? IfMatch = null)
{
    public static readonly ObjectDelete Plain = new();

    /// <summary>The write condition the same check is as a write's (a whiteout over the key is one).</summary>
    public WriteCondition Condition => IfMatch is null ? WriteCondition.None : new WriteCondition(IfMatch: IfMatch);
}
