using System.Net;

namespace S3Overlay.Storage;

/// <summary>The names a store can hold a bucket under: one plain path segment, whatever S3's rules for new buckets.</summary>
internal static class BucketNameRule
{
    /// <summary>The prefixes and suffixes S3's general-purpose bucket naming rules reserve (access points, directory and table buckets, examples).</summary>
    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    /// <summary>
    /// The rules CreateBucket enforces (AWS's general-purpose bucket rules): 3–63 characters of
    /// <c>a-z 0-9 . -</c>, starting and ending with a letter or digit, no <c>..</c>, not an IP
    /// address, none of the prefixes and suffixes AWS reserves (<see cref="ReservedPrefixes"/>, <see cref="ReservedSuffixes"/>).
    /// </summary>
    public static bool IsValidForCreate(string name)
    {
        if (name.Length is < 3 or > 63) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')) return false;
        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])) return false;
        if (name.Contains("..", StringComparison.Ordinal)) return false;
        if (IPAddress.TryParse(name, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && name.Count(c => c == '.') == 3) return false;
        foreach (var prefix in ReservedPrefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        foreach (var suffix in ReservedSuffixes)
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>
    /// A remote bucket's name as a mapping or a bucket's configuration gives it: S3's rule, loosened
    /// to what third-party servers accept: 3–63 of a-z 0-9 . - _ (no leading '_').
    /// </summary>
    public static bool IsRemoteName(string name) =>
        name.Length is >= 3 and <= 63 && name[0] != '_' &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

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
