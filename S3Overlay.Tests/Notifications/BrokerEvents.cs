using System.Text.Json;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// The writes each broker's test makes, and the events they must raise, in order: a PUT, a copy,
/// tags, a delete. What the broker's own client read back is compared with these.
/// </summary>
public static class BrokerEvents
{
    public static readonly (string Name, string Key)[] Expected =
    [
        ("s3:ObjectCreated:Put", "in/a b.txt"),
        ("s3:ObjectCreated:Copy", "in/copy.txt"),
        ("s3:ObjectTagging:Put", "in/copy.txt"),
        ("s3:ObjectRemoved:Delete", "in/a b.txt"),
    ];

    /// <summary>Starts a proxy with <paramref name="settings"/> declaring the target, configures a bucket for <paramref name="arn"/> with boto3, and makes the writes.</summary>
    public static async Task<ProxyServer> WriteAsync(IDictionary<string, string?> settings, string arn, string bucket)
    {
        settings["S3_OVERLAY_NOTIFY_RETRY_MAX_DELAY"] = "0.2";
        var proxy = await ProxyServer.StartAsync(settings);
        using var s3 = proxy.CreateClient();
        await s3.PutBucketAsync(bucket);
        await NotificationClients.ConfigureAsync(proxy.Url, bucket, arn);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "in/a b.txt", ContentBody = "hello" });
        await s3.CopyObjectAsync(bucket, "in/a b.txt", bucket, "in/copy.txt");
        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "in/copy.txt", Tagging = new Tagging { TagSet = [new Tag { Key = "k", Value = "v" }] } });
        await s3.DeleteObjectAsync(bucket, "in/a b.txt");
        return proxy;
    }

    /// <summary>
    /// Asserts that a broker got the <see cref="Expected"/> events, each key's in the order its
    /// writes were made. Events of different keys may pass each other: a target takes several keys'
    /// events at once, and S3 promises no order across keys either (a key's events carry
    /// increasing sequencers).
    /// </summary>
    public static void AssertReceived(IEnumerable<(string Name, string Key)> said) => AssertInOrderPerKey(Expected, said, e => e.Key);

    /// <summary>The same events as <paramref name="expected"/>, and each key's (by <paramref name="keyOf"/>) in the same order.</summary>
    public static void AssertInOrderPerKey<T>(IEnumerable<T> expected, IEnumerable<T> actual, Func<T, string> keyOf)
    {
        List<T> wanted = [.. expected], got = [.. actual];
        Assert.Equal(wanted.Count, got.Count);
        foreach (var key in wanted.Select(keyOf).Distinct())
            Assert.Equal(wanted.Where(e => keyOf(e) == key), got.Where(e => keyOf(e) == key));
    }

    /// <summary>The event names and keys of the MinIO bodies (<c>{"EventName", "Key", "Records"}</c>) a broker handed back, in order.</summary>
    public static List<(string Name, string Key)> Said(IEnumerable<string> bodies, string bucket) =>
        [.. bodies.Select(body =>
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var record = root.GetProperty("Records")[0];
            Assert.Equal(root.GetProperty("EventName").GetString(), record.GetProperty("eventName").GetString());
            Assert.Equal(bucket, record.GetProperty("s3").GetProperty("bucket").GetProperty("name").GetString());
            return (root.GetProperty("EventName").GetString()!, root.GetProperty("Key").GetString()![(bucket.Length + 1)..]);
        })];
}
