namespace S3Overlay.Storage;

/// <summary>The names a store can hold a bucket under: one plain path segment, whatever S3's rules for new buckets.</summary>
internal static class BucketNameRule
{
    /// <summary>
    /// Whether a bucket may be named so at all: an existing folder (upper case, underscores: S3's
    /// legacy names) can be served as a bucket, but never <c>.</c>, <c>..</c>, a hidden folder, or
    /// anything with a separator.
    /// </summary>
    public static bool IsAddressable(string name)
    {
        if (name.Length is < 1 or > 255 || !char.IsAsciiLetterOrDigit(name[0])) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')) return false;
        return true;
    }
}
