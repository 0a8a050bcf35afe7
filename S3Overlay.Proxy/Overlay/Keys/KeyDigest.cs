using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace S3Overlay.Overlay.Keys;

/// <summary>
/// A key (and, where a table tells generations apart, its ETag) as 16 bytes: what the per-key
/// tables that only ask "seen before?" keep in the place of the strings. A 70-character key in a
/// (bucket, key) tuple costs about 300 bytes an entry, its digest 16; at the tables' caps of
/// 65,536-100,000 entries that is tens of MiB of heap against a few.
/// </summary>
/// <remarks>
/// The first 128 bits of SHA-256: two keys that differ share a digest with a chance of about
/// 2^-128 a pair, far below any other failure of the process, and no one can choose a key to
/// collide with another's. So a table may answer for the wrong key only in principle, and each
/// that keeps digests says what such an answer would cost.
/// </remarks>
internal static class KeyDigest
{
    public static UInt128 Of(string bucket, string key) => Of(bucket, key, null);

    public static UInt128 Of(string bucket, string key, string? etag)
    {
        // A bucket name has no '/', so bucket/key names one key only; 0xFF is never a byte of
        // UTF-8 text, so what follows it is the ETag and never part of the key.
        var length = Encoding.UTF8.GetMaxByteCount(bucket.Length + 1 + key.Length) + (etag is null ? 0 : 1 + Encoding.UTF8.GetMaxByteCount(etag.Length));
        byte[]? rented = null;
        var text = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var n = Encoding.UTF8.GetBytes(bucket, text);
            text[n++] = (byte)'/';
            n += Encoding.UTF8.GetBytes(key, text[n..]);
            if (etag is not null)
            {
                text[n++] = 0xFF;
                n += Encoding.UTF8.GetBytes(etag, text[n..]);
            }
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(text[..n], hash);
            return MemoryMarshal.Read<UInt128>(hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
