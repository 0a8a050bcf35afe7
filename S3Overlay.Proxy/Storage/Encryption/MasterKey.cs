using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// The server's master key (<c>S3_OVERLAY_KMS_SECRET_KEY</c>, <c>name:base64-of-32-bytes</c> as
/// MinIO's <c>MINIO_KMS_SECRET_KEY</c>): it never encrypts data itself, only seals the data key
/// of each SSE-S3 object. The name is kept with every sealed key, so an object sealed by another
/// key is told apart from a damaged one.
/// </summary>
internal sealed class MasterKey
{
    private readonly byte[] _sealingKey;

    private MasterKey(string name, byte[] sealingKey) => (Name, _sealingKey) = (name, sealingKey);

    public string Name { get; }

    /// <summary>Reads <c>name:base64</c>; the problem, in words, when the value is not one.</summary>
    public static MasterKey Parse(string value)
    {
        var colon = value.IndexOf(':');
        if (colon <= 0) throw new FormatException("expected name:base64-of-32-bytes, for example my-key:" + Convert.ToBase64String(new byte[32]));
        var name = value[..colon];
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) throw new FormatException("the key's name may hold only letters, digits, '-', '_' and '.'");
        byte[] key;
        try { key = Convert.FromBase64String(value[(colon + 1)..]); }
        catch (FormatException) { throw new FormatException("the part after the name is not base64"); }
        if (key.Length != 32) throw new FormatException($"the key is {key.Length} bytes; it must be 32 (head -c 32 /dev/urandom | base64)");
        // Data keys are sealed by a key derived for that one purpose, not the master key itself.
        return new MasterKey(name, HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("s3overlay sse-s3 sealing key")));
    }

    /// <summary>
    /// Whether a KMS key id names this key: its name, or its name after <c>arn:aws:kms:</c>, as
    /// MinIO reads a bucket's KMSMasterKeyID.
    /// </summary>
    public bool IsNamedBy(string keyId) => keyId == Name || keyId == "arn:aws:kms:" + Name;

    public byte[] Seal(byte[] dataKey, string bucket, string key) => SealedKey.Seal(_sealingKey, dataKey, bucket, key);

    /// <returns>The data key; null when the sealed key was not sealed by this key for this object.</returns>
    public byte[]? Unseal(byte[] sealedKey, string bucket, string key) => SealedKey.Unseal(_sealingKey, sealedKey, bucket, key);
}
