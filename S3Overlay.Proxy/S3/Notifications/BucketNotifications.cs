using S3Overlay.S3.Acl;
using S3Overlay.Storage;

namespace S3Overlay.S3.Notifications;

/// <summary>The buckets' notification configurations as every write consults them, remembered (<see cref="BucketSettingCache{T}"/>).</summary>
internal sealed class BucketNotifications(IObjectStore store, TimeProvider clock)
    : BucketSettingCache<NotificationConfiguration>(store, clock, BucketSettings.Notification)
{
    protected override NotificationConfiguration? Parse(string bucket, string? text) => text is null ? null : NotificationXml.FromText(text);
}
