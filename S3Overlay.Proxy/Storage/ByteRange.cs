namespace S3Overlay.Storage;

/// <summary>
/// One HTTP byte range as asked for: <c>bytes=First-Last</c>, <c>bytes=First-</c> (Last null) or the
/// suffix <c>bytes=-N</c> (First null, Last = N).
/// </summary>
public readonly record struct ByteRange(long? First, long? Last)
{
    /// <summary>Parses a Range header; null when absent or not a single byte range (S3 then serves the whole object).</summary>
    public static ByteRange? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var value = header.Trim();
        if (!value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = value[6..].Trim();
        if (spec.Contains(',')) return null;
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var left = spec[..dash].Trim();
        var right = spec[(dash + 1)..].Trim();
        if (left.Length == 0)
            return long.TryParse(right, out var suffix) && suffix >= 0 ? new ByteRange(null, suffix) : null;
        if (!long.TryParse(left, out var first) || first < 0) return null;
        if (right.Length == 0) return new ByteRange(first, null);
        return long.TryParse(right, out var last) && last >= first ? new ByteRange(first, last) : null;
    }

    /// <summary>The bytes this range selects in an object of <paramref name="size"/> bytes, or null when unsatisfiable (416).</summary>
    public ResolvedRange? Resolve(long size)
    {
        if (First is null)
        {
            var n = Last ?? 0;
            if (n == 0 || size == 0) return null;
            var take = Math.Min(n, size);
            return new ResolvedRange(size - take, take, size);
        }
        if (First.Value >= size) return null;
        var end = Math.Min(Last ?? size - 1, size - 1);
        return new ResolvedRange(First.Value, end - First.Value + 1, size);
    }

    public override string ToString() => $"bytes={First}-{Last}";
}

/// <summary>A satisfiable range within an object of <see cref="TotalSize"/> bytes.</summary>
public readonly record struct ResolvedRange(long Offset, long Length, long TotalSize)
{
    public long Last => Offset + Length - 1;

    /// <summary>The Content-Range header value of a 206.</summary>
    public string ContentRange => $"bytes {Offset}-{Last}/{TotalSize}";
}
