using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Overlay.Markers;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>
/// The object a whiteout is: written at the deleted key itself in the local bucket, so a delete is
/// one write, a read of the key finds it in the read it makes anyway, and a fill's conditional
/// store (only over nothing) is refused by it.
/// </summary>
/// <remarks>
/// A client's object of exactly a marker's bytes would be taken for a deletion, hiding only
/// itself and the remote's object of its key (<see cref="MarkerObject"/>).
/// </remarks>
internal static class WhiteoutMarker
{
    public static MarkerObject Marker => MarkerObject.Whiteout;

    /// <summary>
    /// Whether an object (from a read, or a listing's entry) is a whiteout, not an object: a
    /// delete's, or the one a deleted null version leaves (<see cref="IsNullVersionDeleted"/>).
    /// </summary>
    public static bool IsMarker(ObjectInfo info) => Marker.Is(info) || IsNullVersionDeleted(info);

    /// <summary>
    /// Whether a whiteout is the one a deleted null version leaves, in a bucket that keeps versions,
    /// where the key would otherwise have no version and show the remote's object again: it hides
    /// the remote's object as any whiteout does, but is no delete marker, and no version at all, to
    /// clients (<see cref="S3Overlay.Overlay.Versions.DeletedNullVersions"/>).
    /// </summary>
    public static bool IsNullVersionDeleted(ObjectInfo info) => MarkerObject.NullVersionDeleted.Is(info);

    /// <summary>Whether the key holds a whiteout now (one look; a missing bucket holds none).</summary>
    public static async Task<bool> AtKeyAsync(IObjectStore local, string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await local.FindObjectAsync(bucket, key, ct) is { } held && IsMarker(held);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return false;
        }
    }

    /// <summary>
    /// What a read of a key a whiteout holds answers: 404 NoSuchKey; in a bucket that keeps
    /// versions a delete's whiteout is the key's delete marker, and the 404 says so in its headers
    /// (<c>x-amz-delete-marker</c>, its version id), as S3's does.
    /// </summary>
    public static StorageException Deleted(ObjectInfo marker, string key) => marker.VersionId is { } version && !IsNullVersionDeleted(marker)
        ? VersionIds.DeleteMarker(key, version, marker.LastModified, askedByVersion: false)
        : StorageException.ObjectNotFound(key);
}
