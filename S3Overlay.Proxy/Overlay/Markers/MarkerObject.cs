using System.Security.Cryptography;
using System.Text;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Markers;

/// <summary>
/// A small object of fixed bytes the overlay writes at a client's key to say something of the key
/// (deleted: <see cref="Whiteouts.WhiteoutMarker"/>; cached in chunks: <see cref="Chunks.ChunkMarker"/>),
/// so the one read a request makes of the key anyway finds it.
/// </summary>
/// <remarks>
/// A marker is recognised where it is met without asking anything more: on a GET or HEAD by its
/// metadata or its fingerprint, in a listing (which tells no metadata) by its fingerprint alone,
/// the fixed body's size and MD5 ETag. The body names what it is, so a client's object of exactly
/// these bytes is not plausible. The ETag is given with the write, so a layer that would compute
/// another (bucket encryption, under the overlay) keeps this one.
/// </remarks>
internal sealed class MarkerObject
{
    private readonly byte[] _body;

    /// <param name="metadataName">User metadata the marker carries (clients never see a marker, nor can they set this name).</param>
    /// <param name="body">What the marker's bytes say it is.</param>
    private MarkerObject(string metadataName, string body)
    {
        MetadataName = metadataName;
        _body = Encoding.ASCII.GetBytes(body);
        ETag = $"\"{Convert.ToHexStringLower(MD5.HashData(_body))}\"";
    }

    /// <summary>A key deleted through the overlay: the remote's object stays hidden.</summary>
    public static readonly MarkerObject Whiteout = new("overlay-whiteout", "s3overlay whiteout: deleted through the overlay; the remote's object stays hidden\n");

    /// <summary>A key whose null version, the remote's object, was deleted (by its version id) in a bucket that keeps versions: the key has no version here.</summary>
    public static readonly MarkerObject NullVersionDeleted = new("overlay-null-deleted", "s3overlay null version deleted: the remote's object is no version of this key\n");

    /// <summary>A key whose remote object is cached in chunks: its record in the cache bucket says which.</summary>
    public static readonly MarkerObject Chunked = new("overlay-chunked", "s3overlay chunked: the remote's object is cached in chunks in the cache bucket\n");

    private static readonly MarkerObject[] All = [Whiteout, NullVersionDeleted, Chunked];

    public string MetadataName { get; }

    /// <summary>The marker's ETag: the MD5 of its body, quoted.</summary>
    public string ETag { get; }

    public long Size => _body.Length;

    /// <summary>Whether an object (from a read, or a listing's entry) is this marker, not a client's object.</summary>
    public bool Is(ObjectInfo info) =>
        info.Size == _body.Length && (ReadConditions.Unquote(info.ETag) == ETag[1..^1] || info.Metadata.UserMetadata.ContainsKey(MetadataName));

    /// <summary>Whether an object is any of the overlay's markers (never a client's object).</summary>
    public static bool IsAny(ObjectInfo info) => Array.Exists(All, m => m.Is(info));

    /// <summary>
    /// Writes the marker at the key: beneath the encryption layer, if any, so a bucket that
    /// encrypts by default keeps its bytes, and so its size and ETag in listings (which the
    /// encryption layer reports as the store lists them for an object whose ETag was given with the write).
    /// </summary>
    /// <param name="condition">
    /// What the key must hold for the marker to replace it (none: whatever it holds). Beneath the
    /// encryption layer, an ETag clients were shown of an encrypted object is named in its stored
    /// form too, as the layer names it.
    /// </param>
    public Task<ObjectInfo> WriteAsync(IObjectStore local, string bucket, string key, WriteCondition? condition, CancellationToken ct) =>
        local is Storage.Encryption.EncryptedObjectStore encrypted
            ? WriteAsync(encrypted.Beneath, bucket, key, condition is null ? null : Storage.Encryption.Envelope.StoredCondition(condition), ct)
            : local.PutObjectAsync(bucket, key, new MemoryStream(_body, writable: false), new ObjectWrite
        {
            ContentLength = _body.Length,
            ContentMD5 = Convert.ToBase64String(MD5.HashData(_body)),
            ETag = ETag,
            Metadata = new ObjectMetadata
            {
                ContentType = "text/plain",
                UserMetadata = new Dictionary<string, string> { [MetadataName] = "1" },
            },
            OnlyIfAbsent = condition?.OnlyIfAbsent ?? false,
            IfMatch = condition?.IfMatch,
        }, ct);

    /// <summary>A client's metadata without any marker's name: a client cannot write a marker by hand.</summary>
    public static ObjectWrite FromClient(ObjectWrite write) =>
        write.Metadata.UserMetadata.Keys.Any(name => Array.Exists(All, m => m.MetadataName == name))
            ? write with { Metadata = write.Metadata with { UserMetadata = write.Metadata.UserMetadata.Where(u => !Array.Exists(All, m => m.MetadataName == u.Key)).ToDictionary() } }
            : write;

}
