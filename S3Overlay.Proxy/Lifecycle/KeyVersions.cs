using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Lifecycle;

/// <summary>
/// One key's versions as a version listing gives them (newest first), described as rules see
/// them: the first is current; every other became noncurrent when the one just newer than it was
/// written, which is where S3 starts counting <c>NoncurrentDays</c> (not from its own creation).
/// </summary>
internal static class KeyVersions
{
    /// <summary>The rules' view of <paramref name="versions"/>[<paramref name="index"/>], tags not read yet (a marker has none).</summary>
    public static LifecycleObject Describe(IReadOnlyList<ObjectVersion> versions, int index)
    {
        var v = versions[index];
        return new LifecycleObject(v.Info.Key, v.Info.Size, v.Info.LastModified,
            Tags: v.IsDeleteMarker ? Storage.ObjectMetadata.EmptyMap : null,
            IsDeleteMarker: v.IsDeleteMarker,
            BecameNoncurrent: index == 0 ? null : versions[index - 1].Info.LastModified,
            // The versions between this one and the current are the noncurrent ones newer than it.
            NewerNoncurrent: Math.Max(0, index - 1),
            Versions: versions.Count);
    }
}
