using System.Text.Json.Serialization;

namespace S3Overlay.Storage.Encryption;

/// <summary>How an object is, or is to be, encrypted at rest.</summary>
internal enum EncryptionKind
{
    /// <summary>SSE-S3 (<c>x-amz-server-side-encryption: AES256</c>): the data key is sealed by the server's master key.</summary>
    Managed,

    /// <summary>SSE-C: the data key is sealed by a key the client sends with every request and the server never keeps.</summary>
    Customer,

    /// <summary>
    /// SSE-KMS (<c>aws:kms</c>): the server's master key is the one KMS key, its name the one key id,
    /// as MinIO's built-in KMS has it; the data key is sealed as SSE-S3's, and the object says SSE-KMS.
    /// </summary>
    Kms,
}

/// <summary>
/// Encryption as a request asks for it (on a write: how to encrypt; on a read: the customer's key)
/// and as an object's description tells it (the kind, and the MD5 of the customer's key, which S3 echoes).
/// </summary>
internal sealed record ObjectEncryption(EncryptionKind Kind, string? CustomerKeyMd5 = null)
{
    public static readonly ObjectEncryption Managed = new(EncryptionKind.Managed);

    /// <summary>SSE-KMS: the key id a write names (null: the default key) or the object was sealed by.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>The customer's 32-byte key: only on requests, never kept nor described.</summary>
    [JsonIgnore]
    public byte[]? CustomerKey { get; init; }

    public static ObjectEncryption Kms(string? keyId) => new(EncryptionKind.Kms) { KmsKeyId = keyId };

    public static ObjectEncryption Customer(byte[] key) =>
        new(EncryptionKind.Customer, Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(key))) { CustomerKey = key };
}
