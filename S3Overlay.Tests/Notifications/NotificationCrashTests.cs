using System.Collections.Concurrent;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;
using S3Overlay.Tests.Reliability;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// No event of an acknowledged write is lost: the proxy, a child process, is SIGKILLed again and
/// again while writers PUT and while its webhook is down or up; after the last restart every
/// acknowledged PUT's event reaches the webhook. Duplicates (a batch in flight at a kill, sent
/// again) are allowed, and counted.
/// </summary>
[ReliabilityTests]
public sealed class NotificationCrashTests
{
    private const int Writers = 4;

    [Fact]
    public async Task Killed_mid_stream_the_server_delivers_every_acknowledged_writes_event_after_its_restart()
    {
        var seed = ReliabilityRun.Seed(6969);
        var kills = ReliabilityRun.Scale(3, 12);
        var random = new Random(seed);
        var root = Directory.CreateTempSubdirectory("s3overlay-notify-crash-").FullName;
        try
        {
            await using var webhook = await WebhookReceiver.StartAsync();
            var environment = new Dictionary<string, string>
            {
                ["S3_OVERLAY_DATA_DIR"] = Path.Combine(root, "data"),
                ["S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_crash"] = webhook.Url,
                ["S3_OVERLAY_NOTIFY_RETRY_MAX_DELAY"] = "0.2",
            };
            var acknowledged = new ConcurrentBag<string>();
            const string bucket = "crashed";
            for (var round = 0; round < kills; round++)
            {
                await using var proxy = await ProxyProcess.StartAsync(environment);
                using var s3 = S3Clients.Create(proxy.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
                if (round == 0)
                {
                    await s3.PutBucketAsync(bucket);
                    await NotificationClients.ConfigureAsync(proxy.Url, bucket, "arn:minio:sqs::crash:webhook");
                }
                // Down for some rounds, so events wait in the outbox at the kill; up for others, so the kill lands mid-delivery.
                webhook.Down = random.Next(2) == 0;
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
                {
                    for (var n = 0; !stop.IsCancellationRequested; n++)
                    {
                        var key = $"r{round}/w{w}/{n}";
                        try
                        {
                            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
                            acknowledged.Add(key);
                        }
                        catch (Exception) when (stop.IsCancellationRequested)
                        {
                            return; // cut off by the kill: not acknowledged
                        }
                    }
                })).ToList();
                // Some writes in first (a fresh process is slow to its first answers), then the kill at a random moment.
                var before = acknowledged.Count;
                await Polling.EventuallyAsync(() => Task.FromResult(acknowledged.Count >= before + 20), "writes acknowledged before the kill", TimeSpan.FromSeconds(30));
                await Task.Delay(random.Next(0, 800));
                stop.Cancel();
                await proxy.KillAsync();
                await Task.WhenAll(writers);
            }

            webhook.Down = false;
            await using var last = await ProxyProcess.StartAsync(environment);
            var expected = acknowledged.ToHashSet();
            await Polling.EventuallyAsync(() => Task.FromResult(expected.IsSubsetOf(Keys(webhook))),
                $"the events of all {expected.Count} acknowledged writes ({expected.Except(Keys(webhook)).Count()} missing)", TimeSpan.FromSeconds(60));
            var delivered = Keys(webhook).ToList();
            var duplicates = delivered.Count - delivered.Distinct().Count();
            ReliabilityRun.Report("notification crashes", $"{kills} SIGKILLs under {Writers} writers, the webhook down in some rounds; {expected.Count} acknowledged PUTs (seed {seed})",
                $"{expected.Except(delivered).Count()} acknowledged writes' events lost; {duplicates} delivered twice; {delivered.Distinct().Count() - expected.Count} events of writes the kill cut off before their answer");
            Assert.True(expected.Count >= kills * 20, $"seed {seed}: only {expected.Count} writes acknowledged");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static IEnumerable<string> Keys(WebhookReceiver webhook) =>
        webhook.Records.Select(r => Uri.UnescapeDataString(r.GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!.Replace('+', ' ')));
}
