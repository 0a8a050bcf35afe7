using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Notifications;

/// <summary>What the notification tests share: boto3 configuring a bucket as a MinIO user does.</summary>
public static class NotificationClients
{
    /// <summary>Sends every event type the server raises for <paramref name="bucket"/>'s writes (or the <paramref name="events"/> given) to <paramref name="arn"/>, with boto3.</summary>
    public static async Task ConfigureAsync(string endpoint, string bucket, string arn, params string[] events)
    {
        using var python = new ClientProcess();
        var output = await python.RunAsync("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Notifications", "notify_configure.py"), endpoint, bucket, arn, .. events]);
        Assert.Contains(arn, output);
    }
}
