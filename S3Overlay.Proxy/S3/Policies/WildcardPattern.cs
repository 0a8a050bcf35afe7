namespace S3Overlay.S3.Policies;

/// <summary>
/// An IAM wildcard: <c>*</c> stands for any run of characters (<c>/</c> included), <c>?</c> for
/// exactly one. Compiled once; the common shapes (no wildcard, one trailing <c>*</c>) compare
/// without the general matcher, since every request of a restricted user runs these.
/// </summary>
internal sealed class WildcardPattern
{
    private readonly string _pattern;
    private readonly StringComparison _comparison;
    private readonly Shape _shape;

    private enum Shape { Exact, Prefix, Anything, General }

    public WildcardPattern(string pattern, bool ignoreCase = false)
    {
        _pattern = pattern;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var wildcards = pattern.IndexOfAny(['*', '?']);
        _shape = pattern == "*" ? Shape.Anything
            : wildcards < 0 ? Shape.Exact
            : wildcards == pattern.Length - 1 && pattern[^1] == '*' ? Shape.Prefix
            : Shape.General;
    }

    public string Text => _pattern;

    public bool IsMatch(string value) => _shape switch
    {
        Shape.Anything => true,
        Shape.Exact => string.Equals(value, _pattern, _comparison),
        Shape.Prefix => value.AsSpan().StartsWith(_pattern.AsSpan(0, _pattern.Length - 1), _comparison),
        _ => Matches(_pattern, value, _comparison),
    };

    /// <summary>The greedy matcher with one backtrack point (the last <c>*</c>): linear for the patterns policies hold.</summary>
    private static bool Matches(string pattern, string value, StringComparison comparison)
    {
        int p = 0, v = 0, star = -1, resume = 0;
        var ignoreCase = comparison == StringComparison.OrdinalIgnoreCase;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    public override string ToString() => _pattern;
}
