using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Storage.Encryption;

/// <summary>
/// An object's data key sealed (AES-256-GCM) by the master key or the customer's key. The bucket
/// and key are authenticated with it, so a sealed key moved to another object does not open.
/// </summary>
internal static class SealedKey
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    public const int DataKeySize = 32;

    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(DataKeySize);

    public static byte[] Seal(byte[] sealingKey, byte[] dataKey, string bucket, string key)
    {
        var sealedKey = new byte[NonceSize + DataKeySize + TagSize];
        RandomNumberGenerator.Fill(sealedKey.AsSpan(0, NonceSize));
        using var gcm = new AesGcm(sealingKey, TagSize);
        gcm.Encrypt(sealedKey.AsSpan(0, NonceSize), dataKey, sealedKey.AsSpan(NonceSize, DataKeySize), sealedKey.AsSpan(NonceSize + DataKeySize), Binding(bucket, key));
        return sealedKey;
    }

    /// <returns>The data key; null when <paramref name="sealingKey"/> did not seal it for this object.</returns>
    public static byte[]? Unseal(byte[] sealingKey, byte[] sealedKey, string bucket, string key)
    {
        if (sealedKey.Length != NonceSize + DataKeySize + TagSize) return null;
        var dataKey = new byte[DataKeySize];
        using var gcm = new AesGcm(sealingKey, TagSize);
        try
        {
            gcm.Decrypt(sealedKey.AsSpan(0, NonceSize), sealedKey.AsSpan(NonceSize, DataKeySize), sealedKey.AsSpan(NonceSize + DataKeySize), dataKey, Binding(bucket, key));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Binding(string bucket, string key) => Encoding.UTF8.GetBytes(bucket + "/" + key);
}
