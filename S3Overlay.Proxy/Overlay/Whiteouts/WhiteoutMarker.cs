using System.Security.Cryptography;
using System.Text;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>
/// The object a whiteout is: written at the deleted key itself in the local bucket, so a delete is
/// one write, a read of the key finds it in the read it makes anyway, and a fill's conditional
/// store (only over nothing) is refused by it.
/// </summary>
/// <remarks>
/// A marker is recognised where it is met without asking anything more: on a GET or HEAD by its
/// metadata or its fingerprint, in a listing (which tells no metadata) by its fingerprint alone,
/// the fixed body's size and MD5 ETag. The body names what it is, so a client's object of exactly
/// these bytes is not plausible; one that had them would be taken for a deletion, hiding only
/// itself and the remote's object of its key. The ETag is given with the write, so a layer that
/// would compute another (bucket encryption, under the overlay) keeps this one.
/// </remarks>
public static class WhiteoutMarker
{
    /// <summary>User metadata a marker carries (clients never see a marker, nor can they set this name).</summary>
    public const string MetadataName = "overlay-whiteout";

    private static readonly byte[] Body = Encoding.ASCII.GetBytes("s3overlay whiteout: deleted through the overlay; the remote's object stays hidden\n");

    /// <summary>The marker's ETag: the MD5 of its body, quoted.</summary>
    public static readonly string ETag = $"\"{Hex}\"";

    private static string Hex => Convert.ToHexStringLower(MD5.HashData(Body));

    public static long Size => Body.Length;

    /// <summary>Whether an object (from a read, or a listing's entry) is a whiteout, not an object.</summary>
    public static bool IsMarker(ObjectInfo info) =>
        info.Size == Body.Length && (ReadConditions.Unquote(info.ETag) == ETag[1..^1] || info.Metadata.UserMetadata.ContainsKey(MetadataName));

    public static Stream OpenBody() => new MemoryStream(Body, writable: false);

    /// <summary>
    /// What a read of a key a whiteout holds answers: 404 NoSuchKey; in a bucket that keeps
    /// versions the whiteout is the key's delete marker, and the 404 says so in its headers
    /// (<c>x-amz-delete-marker</c>, its version id), as S3's does.
    /// </summary>
    public static StorageException Deleted(ObjectInfo marker, string key) => marker.VersionId is { } version
        ? VersionIds.DeleteMarker(key, version, marker.LastModified, askedByVersion: false)
        : StorageException.ObjectNotFound(key);

    /// <summary>
    /// Where a marker is written: beneath the encryption layer, if any, so a bucket that encrypts
    /// by default keeps its bytes, and so its size and ETag in listings (which the encryption layer
    /// reports as the store lists them for an object whose ETag was given with the write).
    /// </summary>
    public static IObjectStore StoreFor(IObjectStore local) => local is Storage.Encryption.EncryptedObjectStore encrypted ? encrypted.Beneath : local;

    /// <param name="condition">What the key must hold for the marker to replace it (none: whatever it holds).</param>
    public static ObjectWrite Write(WriteCondition? condition = null) => new()
    {
        ContentLength = Body.Length,
        ContentMD5 = Convert.ToBase64String(MD5.HashData(Body)),
        ETag = ETag,
        Metadata = new ObjectMetadata
        {
            ContentType = "text/plain",
            UserMetadata = new Dictionary<string, string> { [MetadataName] = "1" },
        },
        OnlyIfAbsent = condition?.OnlyIfAbsent ?? false,
        IfMatch = condition?.IfMatch,
    };

    /// <summary>A client's metadata without the marker's name: a client cannot write a whiteout by hand.</summary>
    public static ObjectWrite FromClient(ObjectWrite write) =>
        write.Metadata.UserMetadata.ContainsKey(MetadataName)
            ? write with { Metadata = write.Metadata with { UserMetadata = write.Metadata.UserMetadata.Where(m => m.Key != MetadataName).ToDictionary() } }
            : write;
}
