using Microsoft.AspNetCore.Http;
using S3Overlay.Configuration;
using S3Overlay.S3.Acl;
using S3Overlay.S3.Xml;
using S3Overlay.Storage;

namespace S3Overlay.S3.Notifications;

/// <summary>
/// The <c>?notification</c> sub-resource: Get/PutBucketNotificationConfiguration, kept as a bucket
/// setting. A configuration may name only the targets the settings declare (MinIO's ARNs).
/// </summary>
internal sealed class NotificationHandlers(IObjectStore store, BucketNotifications notifications, DeclaredDestinations destinations, ServerSettings settings)
{
    /// <summary>Far above what S3's limits let a configuration hold.</summary>
    private const int MaxConfigurationBytes = 1024 * 1024;

    public async Task GetBucketNotificationConfiguration(S3Request r)
    {
        var configuration = NotificationXml.FromText(await store.GetBucketSettingAsync(r.Bucket, BucketSettings.Notification, r.Aborted));
        await S3XmlResponse.WriteAsync(r.Response, NotificationXml.Root, async xml =>
        {
            foreach (var rule in NotificationXml.ToXml(configuration).Elements()) await rule.WriteToAsync(xml, r.Aborted);
        });
    }

    /// <summary>Replaces the whole configuration; an empty one turns the bucket's notifications off.</summary>
    public async Task PutBucketNotificationConfiguration(S3Request r)
    {
        var configuration = NotificationXml.FromXml(await S3XmlRequest.ReadAsync(r, MaxConfigurationBytes),
            arn => NotificationArn.Canonical(arn, settings.Region) is { } known && destinations.Arns.Contains(known) ? known : null);
        await store.PutBucketSettingAsync(r.Bucket, BucketSettings.Notification,
            configuration.Rules.Count == 0 ? null : NotificationXml.ToText(configuration), r.Aborted);
        notifications.Forget(r.Bucket);
        r.Response.StatusCode = StatusCodes.Status200OK;
        r.Response.ContentLength = 0;
    }
}

/// <summary>The ARNs of the targets the settings declare: what a configuration may name.</summary>
internal sealed record DeclaredDestinations(IReadOnlySet<string> Arns);
