using System.Globalization;

namespace S3Overlay.Storage.S3;

/// <summary>Reads a 206's <c>Content-Range: bytes first-last/size</c>.</summary>
internal static class ContentRange
{
    public static ResolvedRange? Parse(string? header)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header.AsSpan(6).Trim();
        var dash = spec.IndexOf('-');
        var slash = spec.IndexOf('/');
        if (dash <= 0 || slash < dash) return null;
        if (!long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(spec[(dash + 1)..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || !long.TryParse(spec[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || last < first)
            return null;
        return new ResolvedRange(first, last - first + 1, size);
    }
}
