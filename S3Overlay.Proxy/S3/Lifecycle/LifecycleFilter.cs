namespace S3Overlay.S3.Lifecycle;

/// <summary>How a rule named the objects it applies to, kept so GET answers the shape that was PUT.</summary>
internal enum FilterShape
{
    /// <summary>Neither a Filter nor a Prefix: every object.</summary>
    None,
    /// <summary>The rule's own <c>&lt;Prefix&gt;</c>, as S3's first lifecycle schema had it.</summary>
    RulePrefix,
    /// <summary><c>&lt;Filter/&gt;</c> with nothing in it: every object.</summary>
    Empty,
    /// <summary>One predicate directly in the Filter (Prefix, Tag, or one size bound).</summary>
    Single,
    /// <summary><c>&lt;And&gt;</c>: every predicate in it must hold.</summary>
    And,
}

/// <summary>Which objects a rule applies to: all of its predicates hold (S3 ANDs them).</summary>
/// <param name="SizeGreaterThan">Strictly greater than, in bytes (<c>ObjectSizeGreaterThan</c>).</param>
/// <param name="SizeLessThan">Strictly less than, in bytes (<c>ObjectSizeLessThan</c>).</param>
internal sealed record LifecycleFilter(FilterShape Shape, string? Prefix, IReadOnlyList<KeyValuePair<string, string>> Tags, long? SizeGreaterThan, long? SizeLessThan)
{
    public static readonly LifecycleFilter Everything = new(FilterShape.None, null, [], null, null);

    public bool HasTags => Tags.Count > 0;

    public bool MatchesKey(string key) => Prefix is null || key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Size bounds hold; a delete marker has no size, and S3 applies no size bound to it.</summary>
    public bool MatchesSize(long size, bool isDeleteMarker = false) =>
        isDeleteMarker || ((SizeGreaterThan is not { } above || size > above) && (SizeLessThan is not { } below || size < below));

    /// <summary>Every tag of the filter is on the object with the same value (the object may have more).</summary>
    public bool MatchesTags(IReadOnlyDictionary<string, string> tags)
    {
        foreach (var (key, value) in Tags)
            if (!tags.TryGetValue(key, out var has) || has != value) return false;
        return true;
    }
}
