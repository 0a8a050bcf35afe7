using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// What an encrypted object keeps beside its bytes, in reserved user metadata so that every store
/// (the embedded one, any S3) keeps it the same way: the kind, the sealed data key, the master
/// key's name or the customer key's MD5, and whether the body is one segment or one per part.
/// Clients never see these entries, nor can they set them.
/// </summary>
/// <param name="SealedETag">The store computed the ETag, of the sealed bytes (no writer gave one): readers see it marked (<see cref="PresentedETag"/>).</param>
internal sealed record Envelope(EncryptionKind Kind, byte[] SealedKey, string? MasterKeyName, string? CustomerKeyMd5, bool Multipart, bool SealedETag = false)
{
    public const string Prefix = "overlay-sse";
    private const string KindName = Prefix;
    private const string SealedKeyName = Prefix + "-sealed-key";
    private const string MasterKeyNameName = Prefix + "-master-key";
    private const string CustomerKeyMd5Name = Prefix + "-customer-key-md5";
    private const string MultipartName = Prefix + "-multipart";
    private const string SealedETagName = Prefix + "-sealed-etag";

    /// <summary>
    /// The ETag readers see. One the store computed is the MD5 of the sealed bytes, not of the
    /// plaintext, and clients (AWSSDK) check a GET's body against an ETag that looks like an MD5:
    /// marked <c>-1</c>, it reads as no MD5, as S3's ETags of SSE-C and SSE-KMS objects do.
    /// </summary>
    public string PresentedETag(string storedETag) =>
        SealedETag && !Multipart && storedETag.EndsWith('"') && !storedETag.Contains('-') ? storedETag[..^1] + "-1\"" : storedETag;

    /// <summary>Read conditions as the store must see them: every ETag a client may have been shown also in its stored form.</summary>
    public static ReadConditions StoredConditions(ReadConditions conditions) =>
        conditions.IfMatch?.Contains("-1\"", StringComparison.Ordinal) == true || conditions.IfNoneMatch?.Contains("-1\"", StringComparison.Ordinal) == true
            ? conditions with { IfMatch = StoredForms(conditions.IfMatch), IfNoneMatch = StoredForms(conditions.IfNoneMatch) }
            : conditions;

    /// <summary>A write's or a delete's If-Match as the store must see it: every ETag a client may have been shown also in its stored form.</summary>
    public static WriteCondition StoredCondition(WriteCondition condition) =>
        condition.IfMatch is { } etags && etags.Contains("-1\"", StringComparison.Ordinal) ? condition with { IfMatch = StoredForms(etags) } : condition;

    /// <summary>An ETag list with the stored form of each presented one (<see cref="PresentedETag"/>) beside it.</summary>
    public static string? StoredForms(string? etags) =>
        etags is null || !etags.Contains("-1\"", StringComparison.Ordinal) ? etags
            : etags + ", " + string.Join(", ", etags.Split(',').Select(e => e.Trim()).Where(e => e.EndsWith("-1\"", StringComparison.Ordinal)).Select(e => e[..^3] + "\""));

    public ObjectEncryption Describe() => new(Kind, CustomerKeyMd5) { KmsKeyId = Kind == EncryptionKind.Kms ? MasterKeyName : null };

    /// <summary>How each <see cref="EncryptionKind"/> is kept, in its order.</summary>
    private static readonly string[] KindNames = ["AES256", "SSE-C", "aws:kms"];

    /// <summary>The envelope an object's metadata holds; null for an object stored in the clear.</summary>
    public static Envelope? Of(ObjectMetadata metadata)
    {
        var m = metadata.UserMetadata;
        if (!m.TryGetValue(KindName, out var kind)) return null;
        byte[] sealedKey;
        try { sealedKey = Convert.FromBase64String(m.GetValueOrDefault(SealedKeyName, "")); }
        catch (FormatException) { sealedKey = []; }
        return new Envelope((EncryptionKind)Math.Max(0, Array.IndexOf(KindNames, kind)), sealedKey,
            m.GetValueOrDefault(MasterKeyNameName), m.GetValueOrDefault(CustomerKeyMd5Name), m.GetValueOrDefault(MultipartName) == "1", m.GetValueOrDefault(SealedETagName) == "1");
    }

    /// <summary><paramref name="metadata"/> with this envelope in it (and no other).</summary>
    public ObjectMetadata AddTo(ObjectMetadata metadata)
    {
        var m = Without(metadata.UserMetadata);
        m[KindName] = KindNames[(int)Kind];
        m[SealedKeyName] = Convert.ToBase64String(SealedKey);
        if (MasterKeyName is not null) m[MasterKeyNameName] = MasterKeyName;
        if (CustomerKeyMd5 is not null) m[CustomerKeyMd5Name] = CustomerKeyMd5;
        if (Multipart) m[MultipartName] = "1";
        if (SealedETag) m[SealedETagName] = "1";
        return metadata with { UserMetadata = m, Encryption = null };
    }

    /// <summary>The metadata as clients see it: no envelope entries, and the encryption described.</summary>
    public static ObjectMetadata Hide(ObjectMetadata metadata, Envelope? envelope)
    {
        if (envelope is null && !metadata.UserMetadata.Keys.Any(IsReserved)) return metadata.Encryption is null ? metadata : metadata with { Encryption = null };
        return metadata with { UserMetadata = Without(metadata.UserMetadata), Encryption = envelope?.Describe() };
    }

    /// <summary>Metadata a writer sent, without any entry that could pass for an envelope.</summary>
    public static ObjectMetadata Clean(ObjectMetadata metadata) =>
        metadata.UserMetadata.Keys.Any(IsReserved) || metadata.Encryption is not null
            ? metadata with { UserMetadata = Without(metadata.UserMetadata), Encryption = null }
            : metadata;

    private static bool IsReserved(string name) => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, string> Without(IReadOnlyDictionary<string, string> m) =>
        m.Where(e => !IsReserved(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>The data key, unsealed by the master key or the customer's key the request carries; the S3 error to answer otherwise.</summary>
    public byte[] Open(MasterKey? master, ObjectEncryption? asked, string bucket, string key)
    {
        if (Kind == EncryptionKind.Customer)
        {
            if (asked?.CustomerKey is not { } customerKey)
                throw new StorageException(StorageFault.InvalidRequest, message: "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
            return Encryption.SealedKey.Unseal(customerKey, SealedKey, bucket, key)
                ?? throw new StorageException(StorageFault.AccessDenied, message: "The provided customer key does not match the key the object was encrypted with.");
        }
        if (asked?.CustomerKey is not null)
            throw new StorageException(StorageFault.InvalidRequest, message: "The encryption parameters are not applicable to this object.");
        if (master is null)
            throw new StorageException(StorageFault.Internal, message: "The object is encrypted (SSE-S3) but no master key is configured: set S3_OVERLAY_KMS_SECRET_KEY.");
        if (master.Name != MasterKeyName)
            throw new StorageException(StorageFault.Internal, message: $"The object's data key is sealed by the master key '{MasterKeyName}', not the configured '{master.Name}' (S3_OVERLAY_KMS_SECRET_KEY).");
        return master.Unseal(SealedKey, bucket, key)
            ?? throw new StorageException(StorageFault.Internal, message: "The object's sealed data key does not open with the configured master key.");
    }
}
