using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// Put/GetBucketNotificationConfiguration as S3 defines them, driven by boto3 with MinIO's ARNs:
/// the targets the settings declare may be named, nothing else; overlapping configurations and
/// unknown events or filters are refused with S3's errors.
/// </summary>
[FunctionalTests]
public sealed class NotificationConfigurationTests
{
    [Fact]
    public async Task Boto3_puts_and_gets_configurations_and_is_refused_as_S3_refuses()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            // Declared, never delivered to: nothing listens there, and no event is raised here.
            ["S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_primary"] = "http://127.0.0.1:9/events",
        });
        using var s3 = proxy.CreateClient();
        await s3.PutBucketAsync("notified");
        using var python = new ClientProcess();

        var output = await python.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Notifications", "notification_configuration.py"),
            proxy.Url, "notified", "arn:minio:sqs::primary:webhook");

        Assert.Equal("OK", output.Trim());
    }

    [Fact]
    public async Task Without_a_declared_target_no_ARN_may_be_named_and_an_empty_configuration_is_kept()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient();
        await s3.PutBucketAsync("plain");

        var refused = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => s3.PutBucketNotificationAsync(new PutBucketNotificationRequest
        {
            BucketName = "plain",
            QueueConfigurations = [new QueueConfiguration { Queue = "arn:minio:sqs::1:webhook", Events = ["s3:ObjectCreated:*"] }],
        }));
        Assert.Equal("InvalidArgument", refused.ErrorCode);
        await s3.PutBucketNotificationAsync(new PutBucketNotificationRequest { BucketName = "plain" });
        var got = await s3.GetBucketNotificationAsync("plain");
        Assert.Empty(got.QueueConfigurations ?? []);
        Assert.Empty(got.TopicConfigurations ?? []);
    }
}
