namespace S3Overlay.Storage;

/// <summary>What a plain (single-part, unencrypted) S3 ETag says of an object: the MD5 of its bytes.</summary>
internal static class PlainETag
{
    /// <summary>The 16 bytes of MD5 a plain ETag is, quoted or not; null for a multipart one ("…-3") or anything else.</summary>
    public static byte[]? Md5Of(string? etag)
    {
        if (etag is null) return null;
        var hex = ReadConditions.Unquote(etag);
        return hex.Length == 32 && hex.All(char.IsAsciiHexDigit) ? Convert.FromHexString(hex) : null;
    }
}
