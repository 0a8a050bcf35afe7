using System.Net;
using S3Overlay.S3.Errors;

namespace S3Overlay.S3;

/// <summary>S3's bucket naming rules: strict for new buckets, lenient for addressing existing ones.</summary>
internal static class BucketNames
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
    /// Whether a request may name this bucket at all: the stores' rule (<see cref="Storage.BucketNameRule"/>),
    /// looser than <see cref="IsValidForCreate"/> so that existing folders with S3's legacy names can be served.
    /// </summary>
    public static bool IsAddressable(string name) => Storage.BucketNameRule.IsAddressable(name);

    public static S3Exception Invalid(string name) =>
        new S3Exception(S3Error.InvalidBucketName, name).With("BucketName", name);
}
