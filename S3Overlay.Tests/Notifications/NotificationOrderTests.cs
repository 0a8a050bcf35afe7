using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// The sequencer orders the events of a key as its writes were made: of writers racing on one key,
/// the events sorted by sequencer name the versions in the order the bucket keeps them (the
/// embedded store, versioned), or at least the last names the object they left (an S3 local
/// store: s3rver keeps no versions). Racing writers key after key, with every core kept busy, so
/// a writer can be held between making its write and keeping its event while another makes and
/// keeps its own; one key whose events are out of order fails it.
/// </summary>
[Collection(RunsAlone.Name)]
public abstract class NotificationOrderTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Arn = "arn:minio:sqs::order:webhook";
    private const int Keys = 40;
    private const int Writers = 16;

    protected abstract LocalStoreKind Kind { get; }

    /// <summary>Whether the bucket keeps versions, so each write's place in the key's history can be read back.</summary>
    protected abstract bool Versioned { get; }

    [Fact]
    public async Task Of_writers_racing_on_a_key_the_events_sorted_by_sequencer_tell_the_writes_in_the_order_they_were_made()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_order"] = webhook.Url,
        });
        await NotificationClients.ConfigureAsync(env.Proxy.Url, env.Bucket, Arn);
        if (Versioned)
            await env.Client.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });

        // Each key's writes, newest first: its version ids, or its ETag as left.
        var made = new Dictionary<string, List<string>>();
        using (new BusyCores())
        {
            for (var k = 0; k < Keys; k++)
            {
                var key = $"raced-{k}";
                await Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
                {
                    await Task.Yield();
                    await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = $"writer {w} of {key}" });
                }));
                made[key] = Versioned
                    ? [.. (await env.Client.ListVersionsAsync(new ListVersionsRequest { BucketName = env.Bucket, Prefix = key })).Versions.Where(v => v.Key == key).Select(v => v.VersionId)]
                    : [(await env.Client.GetObjectMetadataAsync(env.Bucket, key)).ETag.Trim('"')];
            }
        }

        await Polling.EventuallyAsync(() => webhook.Records.Count >= Keys * Writers, $"{Keys * Writers} events at the webhook (it has {webhook.Records.Count})");
        var told = webhook.Records
            .Select(r => r.GetProperty("s3").GetProperty("object"))
            .GroupBy(o => o.GetProperty("key").GetString()!)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(o => o.GetProperty("sequencer").GetString(), StringComparer.Ordinal)
                .Select(o => o.GetProperty(Versioned ? "versionId" : "eTag").GetString()!).Take(made[g.Key].Count).ToList());
        var wrong = made.Where(kv => !told.GetValueOrDefault(kv.Key, []).SequenceEqual(kv.Value))
            .Select(kv => $"{kv.Key}: made {string.Join(",", kv.Value)}; by sequencer {string.Join(",", told.GetValueOrDefault(kv.Key, []))}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {Keys} keys' events are out of order (newest first): {string.Join("; ", wrong)}");
    }
}

[FunctionalTests]
public sealed class NotificationOrderEmbeddedStoreTests(OverlayServers servers) : NotificationOrderTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;

    protected override bool Versioned => true;
}

[FunctionalTests]
public sealed class NotificationOrderS3LocalStoreTests(OverlayServers servers) : NotificationOrderTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;

    protected override bool Versioned => false;
}
