using Amazon.S3.Model;
using S3Overlay.AppHost.Seeding;
using S3Overlay.AppHost.Stores;

namespace S3Overlay.AppHost.Events;

/// <summary>
/// Makes the stand-in remote announce its changes to the proxy (docs/overlay.md, "Consistency":
/// following the remote's events): every object created or removed in <see cref="DemoObjects.RemoteBucket"/> is
/// pushed to the proxy's <c>/_overlay/events</c>, so the proxy forgets its copy at once instead of
/// serving it until revalidation, and the dashboard shows the event's span beside the next read's fill.
/// </summary>
/// <remarks>
/// Ceph RGW pushes through an SNS topic whose push endpoint is the inbox (<see cref="RgwTopics"/>);
/// an <c>s3overlay serve</c> remote through its webhook target <see cref="TargetId"/>, declared in
/// its environment (AppHost.cs) and named by MinIO's ARN. The MinIO containers
/// are not wired: their webhook would have to reach the proxy across the container network, which
/// no runtime here can test.
/// </remarks>
public static class RemoteEvents
{
    /// <summary>The webhook target's id on an <c>s3overlay serve</c> remote.</summary>
    public const string TargetId = "PROXY";

    /// <summary>A proxy's inbox for the remote's events, at its endpoint as allocated.</summary>
    public static ReferenceExpression Inbox(EndpointReference proxy) =>
        ReferenceExpression.Create($"http://127.0.0.1:{proxy.Property(EndpointProperty.Port)}/_overlay/events");

    /// <summary>Turns the remote bucket's notifications on, once it is seeded (its seeding is no news to anyone).</summary>
    /// <param name="inbox">The proxy's inbox (<see cref="Inbox"/>).</param>
    public static async Task NotifyAsync(StoreMode mode, string connectionString, string inbox, string token, Action<string> log, CancellationToken cancellationToken)
    {
        var events = new List<string> { "s3:ObjectCreated:*", "s3:ObjectRemoved:*" };
        var configuration = new PutBucketNotificationRequest { BucketName = DemoObjects.RemoteBucket };
        switch (mode)
        {
            case StoreMode.Rgw:
                // RGW keeps the push endpoint's query, and the inbox takes the token there.
                var arn = await RgwTopics.CreateAsync(connectionString, "overlay-proxy", $"{inbox}?token={Uri.EscapeDataString(token)}", cancellationToken);
                configuration.TopicConfigurations = [new TopicConfiguration { Id = "overlay-proxy", Topic = arn, Events = events.ConvertAll(e => new Amazon.S3.EventType(e)) }];
                break;
            case StoreMode.Processes:
                configuration.QueueConfigurations = [new QueueConfiguration
                {
                    Id = "overlay-proxy",
                    Queue = $"arn:minio:sqs::{TargetId}:webhook",
                    Events = events.ConvertAll(e => new Amazon.S3.EventType(e)),
                }];
                break;
            default:
                return;
        }
        using var client = DemoObjects.CreateClient(connectionString);
        await client.PutBucketNotificationAsync(configuration, cancellationToken);
        log($"{DemoObjects.RemoteBucket} announces its changes to {inbox}");
    }
}
