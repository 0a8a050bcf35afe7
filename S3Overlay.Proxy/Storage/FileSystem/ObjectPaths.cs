using System.Text;
using S3Overlay.S3;
using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Maps bucket names and keys to paths under the data folder, refusing what a file system cannot
/// hold. Every path it returns is inside the data folder: segments are checked one by one, never
/// normalised.
/// </summary>
internal static class ObjectPaths
{
    /// <summary>
    /// The file that stands for a key ending in <c>/</c> (a folder marker) inside that folder.
    /// A key segment with this name is refused, so no key can collide with a marker.
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
        if (!BucketNames.IsAddressable(bucket)) throw BucketNames.Invalid(bucket);
    }

    /// <summary>The key's path relative to its bucket folder, as segments; throws when it cannot be stored.</summary>
    public static string[] Segments(string key)
    {
        if (string.IsNullOrEmpty(key)) throw Invalid(key, "The key is empty.");
        int bytes;
        try { bytes = StrictUtf8.GetByteCount(key); }
        catch (EncoderFallbackException) { throw Invalid(key, "The key is not valid Unicode."); }
        if (bytes > MaxKeyBytes) throw TooLong(key, $"Keys are at most {MaxKeyBytes} UTF-8 bytes.");
        if (key.Contains('\0')) throw Invalid(key, "The key contains a NUL character.");
        // Windows splits paths at '\' too: "private\x" would be the file of "private/x", past the guards of that prefix.
        if (OperatingSystem.IsWindows() && key.Contains('\\')) throw Invalid(key, "This store cannot hold keys with '\\' on Windows.");

        var isFolder = key[^1] == '/';
        var body = isFolder ? key[..^1] : key;
        var parts = body.Split('/');
        foreach (var part in parts)
        {
            if (part.Length == 0) throw Invalid(key, "This store cannot hold keys with empty path segments ('//', or a leading '/').");
            if (part is "." or "..") throw Invalid(key, "This store cannot hold keys with '.' or '..' path segments.");
            if (part == FolderMarker) throw Invalid(key, $"'{FolderMarker}' is reserved by this store.");
            if (Encoding.UTF8.GetByteCount(part) > MaxSegmentBytes)
                throw TooLong(key, $"This store cannot hold a key segment longer than {MaxSegmentBytes} UTF-8 bytes.");
        }
        return isFolder ? [.. parts, FolderMarker] : parts;
    }

    /// <summary>The key's file path inside <paramref name="bucketDir"/>.</summary>
    public static string FilePath(string bucketDir, string key)
    {
        var path = Path.Join([bucketDir, .. Segments(key)]);
        // Cannot happen after the checks above; kept so that no future change can escape the folder.
        if (!Path.GetFullPath(path).StartsWith(bucketDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw Invalid(key, "The key leaves its bucket.");
        return path;
    }

    /// <summary>The key a file stands for, given the key prefix of its folder (<c>""</c> or ending in <c>/</c>).</summary>
    public static string? KeyOf(string folderPrefix, string fileName) =>
        fileName == FolderMarker ? (folderPrefix.Length == 0 ? null : folderPrefix) : folderPrefix + fileName;

    public static S3Exception Invalid(string key, string why) =>
        new S3Exception(S3Error.InvalidObjectName.WithMessage(why), key).With("Key", key);

    private static S3Exception TooLong(string key, string why) =>
        new S3Exception(S3Error.KeyTooLongError.WithMessage(why), key).With("Key", key);
}
