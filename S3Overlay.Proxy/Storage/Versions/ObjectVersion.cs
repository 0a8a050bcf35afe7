namespace S3Overlay.Storage.Versions;

/// <summary>One version of a key in a version listing: an object's or a delete marker's.</summary>
/// <param name="Info">The version's description (a delete marker's has size 0 and no ETag).</param>
/// <param name="VersionId">The version's id; <see cref="VersionIds.Null"/> for the null version.</param>
/// <param name="IsLatest">Whether it is the key's current version.</param>
internal sealed record ObjectVersion(ObjectInfo Info, string VersionId, bool IsLatest, bool IsDeleteMarker);

/// <summary>
/// A page of ListObjectVersions. Keys in S3's order, each key's versions newest first; entries
/// (versions and common prefixes) after <see cref="KeyMarker"/>, or after the version
/// <see cref="VersionIdMarker"/> of that key when both are given.
/// </summary>
internal sealed record VersionsRequest(string Prefix = "", string? Delimiter = null, string? KeyMarker = null, string? VersionIdMarker = null, int MaxKeys = 1000);

/// <param name="NextKeyMarker">Where the next page starts when truncated: the last key (or common prefix) of this one.</param>
/// <param name="NextVersionIdMarker">With <paramref name="NextKeyMarker"/> a key: its last version on this page.</param>
internal sealed record VersionsPage(IReadOnlyList<ObjectVersion> Versions, IReadOnlyList<string> CommonPrefixes, bool IsTruncated,
    string? NextKeyMarker, string? NextVersionIdMarker);

/// <summary>What a delete did: the version it removed or the delete marker it made.</summary>
/// <param name="VersionId">The version removed, or the marker created; null when the bucket keeps no versions.</param>
/// <param name="DeleteMarker">A delete marker was created, or the version removed was one.</param>
internal sealed record DeletedVersion(string? VersionId, bool DeleteMarker)
{
    public static readonly DeletedVersion Unversioned = new(null, false);
}
