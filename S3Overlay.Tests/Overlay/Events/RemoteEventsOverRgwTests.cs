using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Overlay.Events;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>
/// Ceph RGW 16.2 as the remote, pushing its real bucket notifications to the overlay: over HTTP
/// to <c>POST /_overlay/events</c>, and over AMQP through the run's RabbitMQ node. No revalidation
/// is set: the cached copy is trusted until an event says otherwise, so only the events can make
/// the new bytes show. Warm reads ask the remote nothing (counted at the relay before RGW).
/// </summary>
[FunctionalTests]
public sealed class RemoteEventsOverRgwTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private static readonly string Token = "events-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Pushed_over_http_the_next_read_serves_the_remotes_new_object_and_a_remote_delete_is_a_404()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { ["S3_OVERLAY_REMOTE_EVENTS_TOKEN"] = Token }, remoteKind: RemoteKind.Rgw);
        var rgw = (await SharedRgw.GetAsync()).Main;
        await RgwTopics.NotifyAsync(rgw, env.Bucket, "http-" + env.Bucket, $"{env.Proxy.Url}/_overlay/events?token={Token}");

        await FollowsTheRemoteAsync(env);
    }

    [Fact]
    public async Task Published_over_amqp_the_next_read_serves_the_remotes_new_object_and_a_remote_delete_is_a_404()
    {
        var broker = await RabbitMqBroker.GetAsync();
        var exchange = "ex-" + Guid.NewGuid().ToString("N")[..12];
        var topic = "amqp-" + Guid.NewGuid().ToString("N")[..12];
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_EVENTS_AMQP_URL"] = broker.AmqpUri.ToString(),
            ["S3_OVERLAY_REMOTE_EVENTS_AMQP_EXCHANGE"] = exchange,
            ["S3_OVERLAY_REMOTE_EVENTS_AMQP_QUEUE"] = "q-" + topic,
            ["S3_OVERLAY_REMOTE_EVENTS_AMQP_ROUTING_KEY"] = topic,
        }, remoteKind: RemoteKind.Rgw);
        // The overlay makes the exchange RGW publishes to, and binds its queue, as it connects.
        await Polling.EventuallyAsync(() => env.Part<AmqpEventConsumer>().Connected, "the overlay is connected to RabbitMQ");
        var rgw = (await SharedRgw.GetAsync()).Main;
        // No user in the URL: RGW refuses secrets in a topic over plain HTTP (rgw_allow_notification_secrets_in_cleartext), and connects as guest.
        await RgwTopics.NotifyAsync(rgw, env.Bucket, topic, $"amqp://127.0.0.1:{broker.Port}", $"amqp-exchange={exchange}", "amqp-ack-level=broker");

        await FollowsTheRemoteAsync(env);
    }

    [Fact]
    public async Task A_change_the_overlay_missed_while_it_was_down_is_not_served_stale_after_its_start()
    {
        var settings = new Dictionary<string, string?> { ["S3_OVERLAY_REMOTE_EVENTS_TOKEN"] = Token };
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings, remoteKind: RemoteKind.Rgw);
        await PutRemoteAsync(env, "kept.txt", "same");
        await PutRemoteAsync(env, "changed.txt", "old");
        await PutRemoteAsync(env, "removed.txt", "gone soon");
        foreach (var key in new[] { "kept.txt", "changed.txt", "removed.txt" }) await ServedBody.ReadAsync(env, key);
        await env.FillsIdleAsync();

        // No topic: the remote's changes send no event, as if the overlay had been down.
        await PutRemoteAsync(env, "changed.txt", "new");
        await env.Remote.DeleteObjectAsync(env.Bucket, "removed.txt");
        Assert.Equal("old", await ServedBody.ReadAsync(env, "changed.txt"));
        env.Relay.ResetCounts();
        await env.RestartAsync();
        await Polling.EventuallyAsync(() => env.Part<StartupReconcile>().Last is not null, "the start-up reconcile has run");

        Assert.Null(env.Part<StartupReconcile>().Last!.Error);
        Assert.Equal(2, env.Part<StartupReconcile>().Last!.Dropped);
        // One listing of the remote bucket, nothing else asked of the remote.
        Assert.Equal(["GET whole"], env.Relay.Asked);
        Assert.Equal("new", await ServedBody.ReadAsync(env, "changed.txt"));
        Assert.Null(await ServedBody.ReadAsync(env, "removed.txt"));
        env.Relay.ResetCounts();
        Assert.Equal("same", await ServedBody.ReadAsync(env, "kept.txt"));
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    /// <summary>What both transports must do: a warm read costs the remote nothing; an overwrite, a delete and a re-creation show at the next reads; local writes and whiteouts stay.</summary>
    private static async Task FollowsTheRemoteAsync(OverlayEnvironment env)
    {
        await PutRemoteAsync(env, "a/b.txt", "one");
        await PutRemoteAsync(env, "deleted-here.txt", "remote");
        await PutRemoteAsync(env, "written-here.txt", "remote");
        Assert.Equal("one", await ServedBody.ReadAsync(env, "a/b.txt"));
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("a/b.txt"));

        // Warm: served from the local copy, the remote not asked.
        env.Relay.ResetCounts();
        for (var i = 0; i < 3; i++) Assert.Equal("one", await ServedBody.ReadAsync(env, "a/b.txt"));
        Assert.Equal(0, env.Relay.TotalRequests);

        await PutRemoteAsync(env, "a/b.txt", "two");
        await Polling.EventuallyAsync(async () => await ServedBody.ReadAsync(env, "a/b.txt") == "two", "the remote's overwrite is served");
        await env.Remote.DeleteObjectAsync(env.Bucket, "a/b.txt");
        await Polling.EventuallyAsync(async () => await ServedBody.ReadAsync(env, "a/b.txt") is null, "the remote's delete is a 404");
        await PutRemoteAsync(env, "a/b.txt", "three");
        await Polling.EventuallyAsync(async () => await ServedBody.ReadAsync(env, "a/b.txt") == "three", "the remote's new object is served");

        // Local wins: a client's write and a client's delete here stay whatever the remote does.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "written-here.txt", ContentBody = "mine", UseChunkEncoding = false });
        await env.Client.DeleteObjectAsync(env.Bucket, "deleted-here.txt");
        var applied = env.Part<EventStatistics>().Snapshot().Applied;
        await PutRemoteAsync(env, "written-here.txt", "theirs");
        await PutRemoteAsync(env, "deleted-here.txt", "back");
        await Polling.EventuallyAsync(() => env.Part<EventStatistics>().Snapshot().Applied >= applied + 2, "both events are applied");
        Assert.Equal("mine", await ServedBody.ReadAsync(env, "written-here.txt"));
        Assert.Null(await ServedBody.ReadAsync(env, "deleted-here.txt"));
    }

    private static Task PutRemoteAsync(OverlayEnvironment env, string key, string body) =>
        env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = body, UseChunkEncoding = false });
}
