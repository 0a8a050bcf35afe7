using System.Text.Json.Serialization;

namespace S3Overlay.Storage.Encryption;

/// <summary>How an object is, or is to be, encrypted at rest.</summary>
public enum EncryptionKind
{
    /// <summary>SSE-S3 (<c>x-amz-server-side-encryption: AES256</c>): the data key is sealed by the server's master key.</summary>
    Managed,

    /// <summary>SSE-C: the data key is sealed by a key the client sends with every request and the server never keeps.</summary>
    Customer,
}

/// <summary>
/// Encryption as a request asks for it (on a write: how to encrypt; on a read: the customer's key)
/// and as an object's description tells it (the kind, and the MD5 of the customer's key, which S3 echoes).
/// </summary>
public sealed record ObjectEncryption(EncryptionKind Kind, string? CustomerKeyMd5 = null)
{
    public static readonly ObjectEncryption Managed = new(EncryptionKind.Managed);

    /// <summary>The customer's 32-byte key: only on requests, never kept nor described.</summary>
    [JsonIgnore]
    public byte[]? CustomerKey { get; init; }

    public static ObjectEncryption Customer(byte[] key) =>
        new(EncryptionKind.Customer, Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(key))) { CustomerKey = key };
}
