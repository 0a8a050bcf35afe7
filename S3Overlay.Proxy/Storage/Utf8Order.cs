namespace S3Overlay.Storage;

/// <summary>
/// S3's key order: ordinal by UTF-8 bytes. UTF-16 ordinal order differs only where a surrogate
/// pair (U+10000 and up) meets a character in U+E000..U+FFFF, so the comparison is ordinal with
/// that one fix-up at the first differing character.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public static int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var n = Math.Min(x.Length, y.Length);
        var i = x.AsSpan(0, n).CommonPrefixLength(y.AsSpan(0, n));
        if (i == n) return x.Length.CompareTo(y.Length);
        return Weight(x[i]).CompareTo(Weight(y[i]));
    }

    int IComparer<string>.Compare(string? x, string? y) => Compare(x, y);

    // Surrogates encode code points above U+FFFF, whose UTF-8 bytes sort after U+E000..U+FFFF.
    private static int Weight(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
