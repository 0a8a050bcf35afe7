using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Signing;

/// <summary>
/// The SHA-256 and HMAC-SHA256 of SigV4 (checking and making signatures, chunk signatures), on
/// contexts each thread keeps. A one-shot <c>SHA256.HashData</c> or <c>HMACSHA256.HashData</c>
/// makes and frees OpenSSL's context and looks its algorithm up by name on every call: on a warm
/// presigned 4 KiB GET that overhead (locks, error-queue clearing, allocations) cost more than
/// hashing the few hundred bytes. A context is reset by each hash it gives, so the next use starts clean.
/// </summary>
internal static class SignatureHashes
{
    [ThreadStatic] private static IncrementalHash? t_sha256;
    [ThreadStatic] private static IncrementalHash? t_hmac;
    [ThreadStatic] private static byte[]? t_hmacKey;

    /// <summary>SHA-256 of <paramref name="text"/>'s UTF-8 bytes.</summary>
    public static void Sha256(string text, Span<byte> hash)
    {
        t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Hash(ref t_sha256, text, hash);
    }

    /// <summary>HMAC-SHA256 of <paramref name="text"/>'s UTF-8 bytes under <paramref name="key"/> (a signing key from <see cref="SigningKeyCache"/>, kept as long as it is the same array).</summary>
    public static void HmacSha256(byte[] key, string text, Span<byte> mac)
    {
        if (!ReferenceEquals(t_hmacKey, key) || t_hmac is null)
        {
            t_hmac?.Dispose();
            t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            t_hmacKey = key;
        }
        Hash(ref t_hmac, text, mac);
    }

    /// <param name="kept">The thread's context (not null), forgotten if the hash fails.</param>
    private static void Hash(ref IncrementalHash? kept, string text, Span<byte> result)
    {
        var hash = kept!;
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            hash.AppendData(buffer, 0, Encoding.UTF8.GetBytes(text, buffer));
            hash.GetHashAndReset(result);
        }
        catch
        {
            // Whatever state a failure left is not used again.
            kept = null;
            hash.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
