using System.Security.Cryptography;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Versions;

/// <summary>
/// Version ids: <c>null</c> for the null version (written while a bucket was never versioned, or
/// suspended), otherwise what the store chose. The embedded store's are 32 lower-case hex digits,
/// the write's time first, so they are unique across processes and sort in order of writing.
/// </summary>
internal static class VersionIds
{
    public const string Null = "null";

    /// <summary>The response header that names the version a request read, wrote or deleted.</summary>
    public const string Header = "x-amz-version-id";

    /// <summary>The response header that says the version is a delete marker.</summary>
    public const string DeleteMarkerHeader = "x-amz-delete-marker";

    public static string New(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return now.UtcTicks.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(random);
    }

    /// <summary>Whether the id is one the embedded store could have given (or <c>null</c>).</summary>
    public static bool IsWellFormed(string id)
    {
        if (id == Null) return true;
        if (id.Length != 32) return false;
        foreach (var c in id)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        return true;
    }

    /// <summary>An id no version can have: 400, as S3 answers an id it never gives.</summary>
    public static StorageException Invalid(string id) =>
        new StorageException(StorageFault.InvalidArgument, id, "Invalid version id specified")
            .With("ArgumentName", "versionId").With("ArgumentValue", id);

    /// <summary>A well-formed id of no version of the key: 404 NoSuchVersion.</summary>
    public static StorageException NoSuchVersion(string key, string id) =>
        new StorageException(StorageFault.VersionNotFound, key).With("Key", key).With("VersionId", id);

    /// <summary>
    /// A read of a key whose current version is a delete marker (404 NoSuchKey), or of a delete
    /// marker's version by its id (405 MethodNotAllowed): both say what they met in headers.
    /// </summary>
    public static StorageException DeleteMarker(string key, string id, DateTimeOffset lastModified, bool askedByVersion)
    {
        var e = askedByVersion
            ? new StorageException(StorageFault.DeleteMarkerVersion, key, "The specified method is not allowed against this resource.")
                .With("Method", "GET").With("ResourceType", "DeleteMarker")
            : StorageException.ObjectNotFound(key);
        e.Headers[DeleteMarkerHeader] = "true";
        e.Headers[Header] = id;
        if (askedByVersion) e.Headers["Last-Modified"] = lastModified.ToString("R");
        return e;
    }
}
