using System.Text;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Maps bucket names and keys to plain paths under the data folder: a key's file at its key's
/// path where the file system can hold it there (<see cref="PlainPath"/>), never outside the
/// bucket. Keys that cannot be plain files live in the store's own area instead (<see cref="EncodedKeys"/>).
/// </summary>
internal static class ObjectPaths
{
    /// <summary>
    /// The file that stands for a key ending in <c>/</c> (a folder marker) inside that folder.
    /// A key with a segment of this name is never a plain file, so no key can collide with a marker.
    /// </summary>
    public const string FolderMarker = ".s3overlay-folder";

    public const int MaxKeyBytes = 1024;
    public const int MaxSegmentBytes = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// The front end validates bucket names; this is defence in depth with the same rule: one plain
    /// path segment (no separator, not <c>.</c> or <c>..</c>, not hidden like the reserved folder).
    /// </summary>
    public static void CheckBucketName(string bucket)
    {
        if (!BucketNameRule.IsAddressable(bucket)) throw new StorageException(StorageFault.InvalidBucketName, bucket).With("BucketName", bucket);
    }

    /// <summary>
    /// Refuses what S3 refuses (an empty key, one over 1,024 UTF-8 bytes) and what no XML listing
    /// can carry (U+0000, or text that is not Unicode). Every other key can be stored.
    /// </summary>
    public static void CheckKey(string key)
    {
        if (string.IsNullOrEmpty(key)) throw Invalid(key, "The key is empty.");
        int bytes;
        try { bytes = StrictUtf8.GetByteCount(key); }
        catch (EncoderFallbackException) { throw Invalid(key, "The key is not valid Unicode."); }
        if (bytes > MaxKeyBytes) throw new StorageException(StorageFault.KeyTooLong, key, $"Keys are at most {MaxKeyBytes} UTF-8 bytes.").With("Key", key);
        if (key.Contains('\0')) throw Invalid(key, "The key contains a NUL character.");
    }

    /// <summary>
    /// The key's plain file, relative to its bucket's folder (<c>/</c>-separated), or null when no
    /// file can stand for it there: an empty, <c>.</c> or <c>..</c> segment (<c>a//b</c>, <c>/x</c>,
    /// <c>a/../b</c>), a segment over 255 bytes or named <see cref="FolderMarker"/>, or <c>\</c> on
    /// Windows (which splits paths at it). Segments are checked one by one, never normalised; the
    /// folder resolves what is left without leaving itself (<see cref="ConfinedFolder"/>).
    /// </summary>
    public static string? PlainPath(string key)
    {
        CheckKey(key);
        if (OperatingSystem.IsWindows() && key.Contains('\\')) return null;
        var isFolder = key[^1] == '/';
        var path = isFolder ? key[..^1] : key;
        foreach (var part in path.Split('/'))
            if (part.Length == 0 || part is "." or ".." || part == FolderMarker || Encoding.UTF8.GetByteCount(part) > MaxSegmentBytes)
                return null;
        return isFolder ? path + "/" + FolderMarker : path;
    }

    public static StorageException Invalid(string key, string why) =>
        new StorageException(StorageFault.InvalidKey, key, why).With("Key", key);
}

/// <summary>How a bucket folder's entries stand for keys: a file for the key at its path, a folder for the keys below <c>name/</c>.</summary>
internal sealed class PlainKeys : IKeyNames
{
    public static readonly PlainKeys Instance = new();

    public string? NameOf(string folderPrefix, FileSystemInfo entry) =>
        entry is DirectoryInfo ? folderPrefix + entry.Name + "/"
        : entry.Name == ObjectPaths.FolderMarker ? (folderPrefix.Length == 0 ? null : folderPrefix)
        : folderPrefix + entry.Name;
}
