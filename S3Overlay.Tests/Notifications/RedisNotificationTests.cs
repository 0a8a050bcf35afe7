using System.Text.Json;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;
using StackExchange.Redis;

namespace S3Overlay.Tests.Notifications;

/// <summary>The Redis target against redis-server on a free port, in MinIO's two formats, read back with StackExchange.Redis.</summary>
[FunctionalTests]
public sealed class RedisNotificationTests
{
    private static Task<BrokerProcess> StartRedisAsync() => BrokerProcess.StartAsync("/usr/bin/redis-server", "redis-server",
        (port, folder) => ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no"]);

    [Fact]
    public async Task The_access_format_appends_every_event_to_the_list_in_order()
    {
        await using var redis = await StartRedisAsync();
        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_REDIS_ADDRESS_log"] = $"127.0.0.1:{redis.Port}",
            ["S3_OVERLAY_NOTIFY_REDIS_KEY_log"] = "events",
            ["S3_OVERLAY_NOTIFY_REDIS_FORMAT_log"] = "access",
        }, "arn:minio:sqs::log:redis", "redis-access");
        await using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var database = client.GetDatabase();

        await Polling.EventuallyAsync(async () => await database.ListLengthAsync("events") >= BrokerEvents.Expected.Length, "the events in the list");
        var entries = (await database.ListRangeAsync("events")).Select(v => JsonDocument.Parse(v.ToString()).RootElement[0]).ToList();
        BrokerEvents.AssertReceived(entries.Select(e =>
        {
            var record = e.GetProperty("Event")[0];
            return (record.GetProperty("eventName").GetString()!, Uri.UnescapeDataString(record.GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!.Replace('+', ' ')));
        }));
        Assert.All(entries, e => Assert.True(e.TryGetProperty("EventTime", out _)));
    }

    [Fact]
    public async Task The_namespace_format_keeps_each_objects_last_event_and_forgets_a_deleted_one()
    {
        await using var redis = await StartRedisAsync();
        await using var proxy = await BrokerEvents.WriteAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_REDIS_ADDRESS_ns"] = $"127.0.0.1:{redis.Port}",
            ["S3_OVERLAY_NOTIFY_REDIS_KEY_ns"] = "objects",
        }, "arn:minio:sqs::ns:redis", "redis-namespace");
        await using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var database = client.GetDatabase();
        var statistics = proxy.Services.GetService(typeof(S3Overlay.Notifications.NotificationOutbox)) as S3Overlay.Notifications.NotificationOutbox;

        await Polling.EventuallyAsync(() => statistics!.Statistics["arn:minio:sqs::ns:redis"].Delivered == BrokerEvents.Expected.Length, "every event delivered");
        var entries = await database.HashGetAllAsync("objects");
        // The copy, its last event its tagging; the deleted object gone.
        var entry = Assert.Single(entries);
        Assert.Equal("redis-namespace/in/copy.txt", entry.Name.ToString());
        Assert.Equal("s3:ObjectTagging:Put", JsonDocument.Parse(entry.Value.ToString()).RootElement.GetProperty("Records")[0].GetProperty("eventName").GetString());
    }
}
