using S3Overlay.Storage;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Overlay.Remote;

/// <summary>
/// Which remote bucket backs each local bucket (<c>S3_OVERLAY_BUCKET_MAPPING</c>,
/// <c>local1:remote1,local2:remote2</c>); a bucket that is not listed uses its own name.
/// </summary>
internal sealed class BucketMapping
{
    private readonly Dictionary<string, string> _remoteOf;

    private BucketMapping(Dictionary<string, string> remoteOf) => _remoteOf = remoteOf;

    public static readonly BucketMapping Identity = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Pairs => _remoteOf;

    public string RemoteBucketOf(string localBucket) => _remoteOf.GetValueOrDefault(localBucket, localBucket);

    /// <summary>Parses the setting; a malformed pair or a local bucket mapped twice stops start-up.</summary>
    public static BucketMapping Parse(string? text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return new BucketMapping(pairs);
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !BucketNameRule.IsRemoteName(parts[0]) || !BucketNameRule.IsRemoteName(parts[1]))
                throw RemoteCatalog.BucketMapping.Invalid($"'{entry}' is not local:remote with two bucket names");
            if (!pairs.TryAdd(parts[0], parts[1]))
                throw RemoteCatalog.BucketMapping.Invalid($"local bucket '{parts[0]}' is mapped twice");
        }
        return new BucketMapping(pairs);
    }
}
