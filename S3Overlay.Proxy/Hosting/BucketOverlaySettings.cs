using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Overlay;

namespace S3Overlay.Hosting;

/// <summary>How the bucket configuration (Buckets/) shapes the overlay's settings: composed here, so neither knows the other.</summary>
internal static class BucketOverlaySettings
{
    /// <summary>
    /// The overlay's settings with these buckets in: a bucket with its own remote is read through
    /// (under its own name, which <see cref="BucketRemotes"/> maps), a folder bucket never is, and
    /// a bucket's <c>Cache</c> flag overrides <c>S3_OVERLAY_CACHE_ENABLED</c>. A bucket the
    /// bucket mapping also names, or the cache bucket, stops start-up.
    /// </summary>
    public static OverlaySettings Shape(this BucketTargets buckets, OverlaySettings overlay)
    {
        if (buckets.IsEmpty) return overlay;
        foreach (var target in buckets.All)
        {
            if (target.Name == overlay.CacheBucket)
                throw new SettingException(BucketTargets.Section.Replace(":", "__", StringComparison.Ordinal) + "__" + target.Name, $"is the overlay's cache bucket ({Configuration.Catalog.CacheCatalog.CacheBucket})");
            if (overlay.Mapping.Pairs.ContainsKey(target.Name) || overlay.Mapping.Pairs.Values.Contains(target.Name))
                throw Configuration.Catalog.RemoteCatalog.BucketMapping.Invalid($"names the bucket '{target.Name}', which {BucketTargets.Section}:{target.Name} configures");
        }
        var caches = buckets.All.Where(t => t.Cache is not null).ToDictionary(t => t.Name, t => t.Cache!.Value, StringComparer.Ordinal);
        return overlay with
        {
            RemoteBuckets = overlay.RemoteBuckets.With(buckets.Remotes.Select(t => t.Name), buckets.Folders.Select(t => t.Name)),
            BucketCache = caches,
        };
    }
}
