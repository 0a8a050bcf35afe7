using S3Overlay.Storage;
using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// Which remote buckets the overlay may read (<c>S3_OVERLAY_REMOTE_BUCKETS</c>): a comma-separated
/// list, or <c>*</c> for any bucket the remote credentials can read. The mapping's remote buckets
/// always count. Unset, only the mapping's buckets are reachable: a local user must not be able to
/// read every bucket the proxy's credentials open just by naming it.
/// </summary>
internal sealed class RemoteBuckets
{
    private readonly HashSet<string> _allowed;
    private readonly HashSet<string> _never;

    private RemoteBuckets(HashSet<string> allowed, bool any, HashSet<string>? never = null)
    {
        _allowed = allowed;
        Any = any;
        _never = never ?? [];
    }

    /// <summary>True for <c>*</c>: every remote bucket (the behaviour before the allow-list).</summary>
    public bool Any { get; }

    public IReadOnlyCollection<string> Named => _allowed;

    public static readonly RemoteBuckets All = new([], any: true);

    public bool Allows(string remoteBucket) => (Any || _allowed.Contains(remoteBucket)) && (_never.Count == 0 || !_never.Contains(remoteBucket));

    /// <summary>Also <paramref name="more"/> (buckets with remotes of their own), and never <paramref name="never"/> (folder buckets, local only).</summary>
    public RemoteBuckets With(IEnumerable<string> more, IEnumerable<string> never) =>
        new([.. _allowed, .. more], Any, [.. _never, .. never]);

    public static RemoteBuckets From(SettingReader read, BucketMapping mapping)
    {
        var items = RemoteCatalog.RemoteBuckets.Items(read);
        if (items is ["*"]) return All;
        var allowed = new HashSet<string>(mapping.Pairs.Values, StringComparer.Ordinal);
        foreach (var name in items)
        {
            if (!BucketNameRule.IsRemoteName(name)) throw RemoteCatalog.RemoteBuckets.Invalid($"'{name}' is not a bucket name (or give * alone)");
            allowed.Add(name);
        }
        return new RemoteBuckets(allowed, any: false);
    }

    /// <summary>What the start-up log says the remote is open to.</summary>
    public string Describe() => Any
        ? $"every bucket its credentials can read ({RemoteCatalog.RemoteBuckets}=*)"
        : _allowed.Count == 0
            ? $"no bucket: set {RemoteCatalog.BucketMapping} or {RemoteCatalog.RemoteBuckets} to read through to it"
            : "the buckets " + string.Join(", ", _allowed.Order(StringComparer.Ordinal));
}
