using S3Overlay.Storage.Errors;

namespace S3Overlay.Storage.Checksums;

/// <summary>The Content-MD5 header's value: the body's MD5 as 16 bytes in base64.</summary>
internal static class ContentMd5
{
    /// <summary>The 16 bytes <paramref name="value"/> encodes; an invalid digest (S3's InvalidDigest) when it is not base64 of exactly 16 bytes.</summary>
    public static byte[] Parse(string value)
    {
        // 18 bytes of room, so a value encoding 17 or 18 bytes is told apart from one encoding 16.
        Span<byte> digest = stackalloc byte[18];
        if (!Convert.TryFromBase64String(value.Trim(), digest, out var written) || written != 16)
            throw new StorageException(StorageFault.InvalidDigest);
        return digest[..16].ToArray();
    }
}
