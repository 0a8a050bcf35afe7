using Microsoft.Net.Http.Headers;

namespace S3Overlay.Storage;

/// <summary>
/// One HTTP byte range as asked for: <c>bytes=First-Last</c>, <c>bytes=First-</c> (Last null) or the
/// suffix <c>bytes=-N</c> (First null, Last = N).
/// </summary>
internal readonly record struct ByteRange(long? First, long? Last)
{
    /// <summary>Parses a Range header; null when absent or not a single byte range (S3 then serves the whole object).</summary>
    /// <remarks>
    /// RFC 9110's grammar as ASP.NET Core reads it (<see cref="RangeHeaderValue"/>), then S3's rules:
    /// another unit, several ranges, or a range it cannot read is no range (200 with the whole
    /// object), and a list is several ranges even when an element is empty (<c>bytes=0-1,</c>),
    /// which the framework's list grammar would take for one.
    /// </remarks>
    public static ByteRange? Parse(string? header)
    {
        if (!RangeHeaderValue.TryParse(header?.Trim(), out var parsed)
            || !parsed.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase)
            || parsed.Ranges.Count != 1 || header!.Contains(','))
            return null;
        var range = parsed.Ranges.First();
        return new ByteRange(range.From, range.To);
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
internal readonly record struct ResolvedRange(long Offset, long Length, long TotalSize)
{
    public long Last => Offset + Length - 1;

    /// <summary>The Content-Range header value of a 206.</summary>
    public string ContentRange => $"bytes {Offset}-{Last}/{TotalSize}";
}
