using S3Overlay.Configuration;
using S3Overlay.Configuration.Catalog;

namespace S3Overlay.Notifications;

/// <summary>The outbox's bound and the deliveries' longest wait between attempts.</summary>
internal sealed record NotificationSettings(long OutboxLimit, TimeSpan RetryMaxDelay)
{
    public static NotificationSettings From(SettingReader read) =>
        new(NotificationCatalog.OutboxLimit.Read(read), NotificationCatalog.RetryMaxDelay.Read(read));
}
