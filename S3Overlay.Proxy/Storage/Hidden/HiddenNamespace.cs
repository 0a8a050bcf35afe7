using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Storage.Hidden;

/// <summary>
/// What the server keeps out of sight (x2s3's hidden buckets and prefixes): buckets left out of
/// ListBuckets and the browser, and key prefixes left out of every listing and answered NoSuchKey.
/// </summary>
/// <param name="Prefixes">Hidden key prefixes by bucket; an empty prefix hides every key of the bucket.</param>
internal sealed record HiddenNamespace(IReadOnlySet<string> Buckets, IReadOnlyDictionary<string, string[]> Prefixes)
{
    public bool IsEmpty => Buckets.Count == 0 && Prefixes.Count == 0;

    public static HiddenNamespace From(SettingReader read)
    {
        var buckets = AccessCatalog.HiddenBuckets.Items(read).ToHashSet(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in AccessCatalog.HiddenPrefixes.Items(read))
        {
            var slash = entry.IndexOf('/');
            if (slash <= 0) throw AccessCatalog.HiddenPrefixes.Invalid($"'{entry}' is not bucket/prefix");
            var bucket = entry[..slash];
            if (!prefixes.TryGetValue(bucket, out var list)) prefixes[bucket] = list = [];
            list.Add(entry[(slash + 1)..]);
        }
        return new HiddenNamespace(buckets, prefixes.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
    }

    public bool IsHiddenBucket(string bucket) => Buckets.Contains(bucket);

    /// <returns>The hidden prefix that <paramref name="name"/> (a key, or a common prefix) lies under, or null.</returns>
    public string? HidingPrefix(string bucket, string name)
    {
        if (!Prefixes.TryGetValue(bucket, out var prefixes)) return null;
        foreach (var prefix in prefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return prefix;
        return null;
    }

    /// <summary>Whether some hidden prefix lies strictly inside <paramref name="commonPrefix"/> (so it may hold only hidden keys).</summary>
    public bool HidesPartOf(string bucket, string commonPrefix) =>
        Prefixes.TryGetValue(bucket, out var prefixes)
        && prefixes.Any(p => p.Length > commonPrefix.Length && p.StartsWith(commonPrefix, StringComparison.Ordinal));
}
