using S3Overlay.S3.Acl;
using S3Overlay.Storage;

namespace S3Overlay.S3.Cors;

/// <summary>The buckets' CORS rules as <see cref="BucketCors"/> applies them, remembered (<see cref="BucketSettingCache{T}"/>).</summary>
internal sealed class BucketCorsRules(IObjectStore store, TimeProvider clock) : BucketSettingCache<List<CorsRule>>(store, clock, BucketSettings.Cors)
{
    protected override List<CorsRule>? Parse(string bucket, string? text) => CorsRule.FromText(text);
}
