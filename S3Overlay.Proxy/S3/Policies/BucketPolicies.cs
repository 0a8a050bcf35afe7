using S3Overlay.S3.Acl;
using S3Overlay.Storage;

namespace S3Overlay.S3.Policies;

/// <summary>
/// The buckets' policies, compiled once and remembered (<see cref="BucketSettingCache{T}"/>):
/// kept as the bucket's <c>policy</c> setting, with its other metadata, on every store.
/// </summary>
internal sealed class BucketPolicies(IObjectStore store, TimeProvider clock) : BucketSettingCache<PolicyDocument>(store, clock, BucketSettings.Policy)
{
    protected override PolicyDocument? Parse(string bucket, string? text) => text is null ? null : PolicyDocument.ForBucket(text, bucket);
}
