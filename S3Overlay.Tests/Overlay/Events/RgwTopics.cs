using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>
/// Makes an RGW bucket push its object changes (ObjectCreated:*, ObjectRemoved:*) to a topic's
/// endpoint, with boto3's SNS client against RGW as docs/overlay.md shows (rgw_notifications.py).
/// </summary>
internal static class RgwTopics
{
    /// <param name="attributes">More topic attributes (<c>amqp-exchange=…</c>, <c>OpaqueData=…</c>).</param>
    /// <returns>The topic's ARN.</returns>
    public static async Task<string> NotifyAsync(S3User rgw, string bucket, string topic, string pushEndpoint, params string[] attributes)
    {
        using var client = new ClientProcess();
        client["RGW_ENDPOINT"] = rgw.Url;
        client["RGW_ACCESS_KEY"] = rgw.AccessKey;
        client["RGW_SECRET_KEY"] = rgw.SecretKey;
        client["AWS_EC2_METADATA_DISABLED"] = "true";
        var script = Path.Combine(AppContext.BaseDirectory, "Overlay", "Events", "rgw_notifications.py");
        return (await client.RunAsync("/usr/bin/python3", [script, bucket, topic, pushEndpoint, .. attributes])).Trim();
    }
}
