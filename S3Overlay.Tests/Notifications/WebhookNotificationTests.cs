using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Notifications;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Infrastructure.Brokers;
using S3Overlay.Tests.S3.PostObject;

namespace S3Overlay.Tests.Notifications;

/// <summary>
/// Bucket notifications to a webhook, through the overlay over s3rver: every write path raises its
/// event in S3's record format, configured with boto3 by a MinIO ARN; a target that is down gets
/// every event, in order, once it is back; the outbox's bound refuses writes rather than lose events.
/// </summary>
[FunctionalTests]
[StartsFirst]
public sealed class WebhookNotificationTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Arn = "arn:minio:sqs::hooks:webhook";

    private async Task<OverlayEnvironment> StartAsync(WebhookReceiver webhook, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_hooks"] = webhook.Url,
            ["S3_OVERLAY_NOTIFY_RETRY_MAX_DELAY"] = "0.2",
        };
        foreach (var (name, value) in more ?? new Dictionary<string, string?>()) settings[name] = value;
        var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings);
        await NotificationClients.ConfigureAsync(env.Proxy.Url, env.Bucket, Arn);
        return env;
    }

    private static async Task<List<JsonElement>> EventsAsync(WebhookReceiver webhook, int count)
    {
        await Polling.EventuallyAsync(() => webhook.Records.Count >= count, $"{count} events at the webhook (it has {webhook.Records.Count})");
        return [.. webhook.Records];
    }

    private static (string Name, string Key) Said(JsonElement record) =>
        (record.GetProperty("eventName").GetString()!, Uri.UnescapeDataString(record.GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!.Replace('+', ' ')));

    [Fact]
    public async Task Every_write_path_raises_its_event_and_a_fill_raises_none()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook);
        var s3 = env.Client;
        var bucket = env.Bucket;

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "put dir/put.txt", ContentBody = "hello" });
        var presigned = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = bucket, Key = "presigned.txt", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP,
        });
        using (var http = new HttpClient())
        using (var answer = await http.PutAsync(presigned, new StringContent("presigned")))
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using (var http = PostForms.Client(env.Proxy))
        using (var form = PostForms.Content(PostForms.SignedV4(bucket, [("key", "posted.txt")]), "posted"u8.ToArray()))
        using (var answer = await http.PostAsync(bucket, form))
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        await s3.CopyObjectAsync(bucket, "put dir/put.txt", bucket, "copy.txt");
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "multi.bin");
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "multi.bin", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(new byte[1000]) });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = "multi.bin", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        });
        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "copy.txt", Tagging = new Tagging { TagSet = [new Tag { Key = "a", Value = "b" }] } });
        await s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "copy.txt" });
        await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "copy.txt", ACL = S3CannedACL.PublicRead });
        await s3.DeleteObjectAsync(bucket, "put dir/put.txt");
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "copy.txt" }, new KeyVersion { Key = "posted.txt" }] });
        // Through the overlay: a key only the remote holds. Its read is a fill, not a write; its delete is one.
        await env.SeedRemoteAsync("remote-only.txt", 100, seed: 1);
        await env.SeedRemoteAsync("read.txt", 100, seed: 2);
        using (var read = await s3.GetObjectAsync(bucket, "read.txt")) await read.ResponseStream.CopyToAsync(Stream.Null);
        await env.FillsIdleAsync();
        await s3.DeleteObjectAsync(bucket, "remote-only.txt");

        var expected = new (string, string)[]
        {
            ("s3:ObjectCreated:Put", "put dir/put.txt"),
            ("s3:ObjectCreated:Put", "presigned.txt"),
            ("s3:ObjectCreated:Post", "posted.txt"),
            ("s3:ObjectCreated:Copy", "copy.txt"),
            ("s3:ObjectCreated:CompleteMultipartUpload", "multi.bin"),
            ("s3:ObjectTagging:Put", "copy.txt"),
            ("s3:ObjectTagging:Delete", "copy.txt"),
            ("s3:ObjectAcl:Put", "copy.txt"),
            ("s3:ObjectRemoved:Delete", "put dir/put.txt"),
            ("s3:ObjectRemoved:Delete", "copy.txt"),
            ("s3:ObjectRemoved:Delete", "posted.txt"),
            ("s3:ObjectRemoved:Delete", "remote-only.txt"),
        };
        var records = await EventsAsync(webhook, expected.Length);
        // Each key's events in the order of its writes; different keys' may pass each other.
        BrokerEvents.AssertInOrderPerKey(expected, records.Select(Said), e => e.Item2);
        Assert.Equal(0, env.Relay.Requests("DELETE"));

        // The first write's record in full: S3's format, as MinIO writes it.
        var first = records.First(r => Said(r) == ("s3:ObjectCreated:Put", "put dir/put.txt"));
        Assert.Equal("2.0", first.GetProperty("eventVersion").GetString());
        Assert.Equal("minio:s3", first.GetProperty("eventSource").GetString());
        Assert.Equal(ProxyServer.AccessKey, first.GetProperty("userIdentity").GetProperty("principalId").GetString());
        Assert.Equal("127.0.0.1", first.GetProperty("requestParameters").GetProperty("sourceIPAddress").GetString());
        Assert.True(DateTimeOffset.UtcNow - first.GetProperty("eventTime").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
        var s3Part = first.GetProperty("s3");
        Assert.Equal("ObjectCreated", s3Part.GetProperty("configurationId").GetString());
        Assert.Equal(bucket, s3Part.GetProperty("bucket").GetProperty("name").GetString());
        Assert.Equal("arn:aws:s3:::" + bucket, s3Part.GetProperty("bucket").GetProperty("arn").GetString());
        var written = s3Part.GetProperty("object");
        Assert.Equal("put+dir%2Fput.txt", written.GetProperty("key").GetString());
        Assert.Equal(5, written.GetProperty("size").GetInt64());
        Assert.Equal(put.ETag.Trim('"'), written.GetProperty("eTag").GetString());
        Assert.Equal(16, written.GetProperty("sequencer").GetString()!.Length);
        // The body around the records, as MinIO's webhook sends it.
        var taken = webhook.Taken.First(t => t.Body.GetProperty("Key").GetString() == bucket + "/put dir/put.txt");
        Assert.Equal("s3:ObjectCreated:Put", taken.Body.GetProperty("EventName").GetString());
        Assert.Null(taken.Authorization);
        // Each key's events carry increasing sequencers.
        foreach (var key in records.GroupBy(r => Said(r).Key))
        {
            var sequencers = key.Select(r => r.GetProperty("s3").GetProperty("object").GetProperty("sequencer").GetString()!).ToList();
            Assert.Equal(sequencers.Order(StringComparer.Ordinal), sequencers);
            Assert.Equal(sequencers.Count, sequencers.Distinct().Count());
        }
    }

    [Fact]
    public async Task Racing_writers_of_one_key_upload_side_by_side_and_its_events_follow_their_commits()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook);
        var first = new byte[200_000];
        new Random(7).NextBytes(first);

        // The first writer sends half its body, then holds the rest (presigned: the body is streamed as it goes, not hashed first).
        var presigned = await env.Client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = env.Bucket, Key = "raced", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP,
        });
        var held = new GatedStream(first, heldAfter: 100_000);
        using var http = new HttpClient();
        var firstPut = http.PutAsync(presigned, new StreamContent(held) { Headers = { ContentLength = first.Length } });
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        // A second writer of the key is answered while the first's body is still on its way: it waits for no upload.
        var second = await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "raced", ContentBody = "second" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        held.Release();
        using var firstDone = await firstPut.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, firstDone.StatusCode);

        // The first's commit came last: the object is its, and so is the event with the greater sequencer.
        var left = (await env.Client.GetObjectMetadataAsync(env.Bucket, "raced")).ETag;
        Assert.Equal(firstDone.Headers.ETag!.Tag, left);
        var told = (await EventsAsync(webhook, 2)).Select(r => r.GetProperty("s3").GetProperty("object"))
            .OrderBy(o => o.GetProperty("sequencer").GetString(), StringComparer.Ordinal).Select(o => o.GetProperty("eTag").GetString()).ToList();
        Assert.Equal([second.ETag.Trim('"'), left.Trim('"')], told);
    }

    [Fact]
    public async Task A_clients_reads_raise_MinIOs_access_events_one_a_request_and_the_servers_own_reads_none()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { ["S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_hooks"] = webhook.Url });
        // As MinIO's console and mc configure "get": the access events alone.
        await NotificationClients.ConfigureAsync(env.Proxy.Url, env.Bucket, Arn, "s3:ObjectAccessed:*");
        var s3 = env.Client;
        var bucket = env.Bucket;
        var statistics = env.Part<NotificationOutbox>().Statistics[Arn];

        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "read me.txt", ContentBody = "hello" });
        using (var read = await s3.GetObjectAsync(bucket, "read me.txt")) await read.ResponseStream.CopyToAsync(Stream.Null);
        using (var read = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "read me.txt", ByteRange = new ByteRange(0, 1) }))
            await read.ResponseStream.CopyToAsync(Stream.Null);
        await s3.GetObjectMetadataAsync(bucket, "read me.txt");
        await s3.GetObjectAttributesAsync(new GetObjectAttributesRequest { BucketName = bucket, Key = "read me.txt", ObjectAttributes = [ObjectAttributes.ETag] });
        // The server's own reads: a copy's of its source. A read of no object: nothing to tell.
        await s3.CopyObjectAsync(bucket, "read me.txt", bucket, "copy.txt");
        await Assert.ThrowsAsync<NoSuchKeyException>(() => s3.GetObjectAsync(bucket, "missing.txt"));
        // Through the overlay: a read of a key only the remote holds is a client's read all the same.
        await env.SeedRemoteAsync("remote-only.txt", 100, seed: 1);
        using (var read = await s3.GetObjectAsync(bucket, "remote-only.txt")) await read.ResponseStream.CopyToAsync(Stream.Null);

        (string, string)[] expected =
        [
            ("s3:ObjectAccessed:Get", "read me.txt"), ("s3:ObjectAccessed:Get", "read me.txt"), ("s3:ObjectAccessed:Head", "read me.txt"),
            ("s3:ObjectAccessed:Attributes", "read me.txt"), ("s3:ObjectAccessed:Get", "remote-only.txt"),
        ];
        var records = await EventsAsync(webhook, expected.Length);
        await Polling.EventuallyAsync(() => statistics.Queued == 0, "nothing left queued");
        Assert.Equal(expected.Length, webhook.Records.Count);
        BrokerEvents.AssertInOrderPerKey(expected, records.Select(Said), e => e.Item2);
        var first = records[0];
        Assert.Equal(ProxyServer.AccessKey, first.GetProperty("userIdentity").GetProperty("principalId").GetString());
        var told = first.GetProperty("s3").GetProperty("object");
        Assert.Equal(5, told.GetProperty("size").GetInt64());
        Assert.Equal(put.ETag.Trim('"'), told.GetProperty("eTag").GetString());
    }

    [Fact]
    public async Task Deletes_in_a_versioned_bucket_tell_a_delete_marker_from_a_version_removed()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook);
        var s3 = env.Client;
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = env.Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "v.txt", ContentBody = "one" });
        var marker = await s3.DeleteObjectAsync(env.Bucket, "v.txt");
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "v.txt", VersionId = put.VersionId });
        // The marker removed by its version id: S3 answers that a delete marker was deleted, and
        // announces it as a version removed for good, not as a marker created.
        var markerRemoved = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = env.Bucket, Key = "v.txt", VersionId = marker.VersionId });
        Assert.Equal("true", markerRemoved.DeleteMarker);

        var records = await EventsAsync(webhook, 4);
        Assert.Equal([("s3:ObjectCreated:Put", "v.txt"), ("s3:ObjectRemoved:DeleteMarkerCreated", "v.txt"), ("s3:ObjectRemoved:Delete", "v.txt"), ("s3:ObjectRemoved:Delete", "v.txt")],
            records.Select(Said));
        string? Version(int i) => records[i].GetProperty("s3").GetProperty("object").GetProperty("versionId").GetString();
        Assert.Equal(put.VersionId, Version(0));
        Assert.Equal(marker.VersionId, Version(1));
        Assert.Equal(put.VersionId, Version(2));
        Assert.Equal(marker.VersionId, Version(3));
    }

    [Fact]
    public async Task Lifecycle_expiration_raises_LifecycleExpiration_Delete_with_no_client_identity()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
            ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = "1",
        });
        var s3 = env.Client;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "old/a.txt", ContentBody = "expires" });
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = env.Bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "expire", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "old/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 1 },
                    },
                ],
            },
        });

        await Polling.EventuallyAsync(() => Task.FromResult(webhook.Records.Count >= 2), "the expiration's event", TimeSpan.FromSeconds(30));
        var expired = webhook.Records[1];
        Assert.Equal(("s3:LifecycleExpiration:Delete", "old/a.txt"), Said(expired));
        Assert.Equal("", expired.GetProperty("userIdentity").GetProperty("principalId").GetString());
    }

    [Fact]
    public async Task A_target_that_is_down_gets_every_event_each_keys_in_order_once_it_is_back()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook, new Dictionary<string, string?> { ["S3_OVERLAY_METRICS"] = "true" });
        var statistics = env.Part<NotificationOutbox>().Statistics[Arn];
        webhook.Down = true;
        for (var i = 0; i < 20; i++)
            await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = $"k{i % 3}", ContentBody = i.ToString() });
        await Polling.EventuallyAsync(() => webhook.Refused >= 3, "attempts while the webhook is down");
        Assert.Equal(20, statistics.Queued);
        Assert.NotNull(statistics.OldestUndelivered);
        Assert.True(statistics.Failed >= 3);
        // Told on the status page's JSON and in /_overlay/metrics, per target.
        using (var http = new HttpClient())
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync(env.Proxy.Url + "/_overlay/status?format=json"));
            var target = status.RootElement.GetProperty("notifications").GetProperty("targets")[0];
            Assert.Equal(Arn, target.GetProperty("arn").GetString());
            Assert.Equal(20, target.GetProperty("queued").GetInt64());
            Assert.True(target.GetProperty("failedAttempts").GetInt64() >= 3);
            Assert.True(target.GetProperty("oldestUndeliveredSeconds").GetDouble() >= 0);
            Assert.Contains("<h2>Notifications</h2>", await http.GetStringAsync(env.Proxy.Url + "/_overlay/status"));
        }
        var metrics = await PrometheusText.ScrapeAsync(env.Proxy.Url);
        Assert.Equal(20, metrics.Value("notify_queued", ("notify_target", Arn)));
        Assert.True(metrics.Value("notify_failed_total", ("notify_target", Arn)) >= 3);
        Assert.True(metrics.Value("notify_oldest_undelivered_age_seconds", ("notify_target", Arn)) > 0);

        webhook.Down = false;
        var records = await EventsAsync(webhook, 20);
        // The 20 writes of three keys came back as one batch: each key's events in the order of its writes (their bodies' sizes).
        BrokerEvents.AssertInOrderPerKey(Enumerable.Range(0, 20).Select(i => ($"k{i % 3}", (long)i.ToString().Length)),
            records.Select(r => (Said(r).Key, r.GetProperty("s3").GetProperty("object").GetProperty("size").GetInt64())), e => e.Item1);
        await Polling.EventuallyAsync(() => statistics.Queued == 0 && statistics.OldestUndelivered is null, "nothing left queued");
        Assert.Equal(20, statistics.Delivered);
        Assert.Equal(0, statistics.Redelivered);
    }

    /// <summary>
    /// A target a round trip away takes as many events a second as the server writes: events of
    /// different keys are on their way together, and each key's one at a time, in order (one at a
    /// time in all, the webhook took 1,300 events a second while PUTs ran at 1,400).
    /// </summary>
    [Fact]
    public async Task Events_of_different_keys_are_on_their_way_together_and_each_keys_one_at_a_time_in_order()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook);
        webhook.Down = true;
        const int keys = 8, rounds = 5;
        for (var i = 0; i < keys * rounds; i++)
            await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = $"lane{i % keys}", ContentBody = new string('x', 1 + i / keys) });
        await Polling.EventuallyAsync(() => webhook.Refused >= 1, "an attempt while the webhook is down");

        webhook.Hold = TimeSpan.FromMilliseconds(50);
        webhook.Down = false;
        var records = await EventsAsync(webhook, keys * rounds);
        BrokerEvents.AssertInOrderPerKey(Enumerable.Range(0, keys * rounds).Select(i => ($"lane{i % keys}", 1L + i / keys)),
            records.Select(r => (Said(r).Key, r.GetProperty("s3").GetProperty("object").GetProperty("size").GetInt64())), e => e.Item1);
        Assert.True(webhook.MostAtOnce > 1, $"at most {webhook.MostAtOnce} event at once: one at a time");
        Assert.Equal(1, webhook.MostAtOnceOfOneKey);
    }

    [Fact]
    public async Task A_full_outbox_refuses_writes_with_SlowDown_and_takes_them_again_once_delivered()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var env = await StartAsync(webhook, new Dictionary<string, string?> { ["S3_OVERLAY_NOTIFY_OUTBOX_LIMIT"] = "16384" });
        webhook.Down = true;
        var accepted = 0;
        AmazonS3Exception? refused = null;
        while (refused is null && accepted < 1000)
        {
            try
            {
                await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = $"full/{accepted}", ContentBody = "x" });
                accepted++;
            }
            catch (AmazonS3Exception e)
            {
                refused = e;
            }
        }
        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("SlowDown", refused.ErrorCode);
        Assert.True(accepted > 5, $"{accepted} writes before the outbox was full");
        // The refused write was not made.
        await Assert.ThrowsAsync<AmazonS3Exception>(() => env.Client.GetObjectMetadataAsync(env.Bucket, $"full/{accepted}"));
        Assert.True(env.Part<NotificationOutbox>().Refused >= 1);
        Assert.Contains("outbox is full", env.Proxy.RecentLogs);

        webhook.Down = false;
        await EventsAsync(webhook, accepted);
        async Task<bool> TakenAsync()
        {
            try { await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "after", ContentBody = "x" }); return true; }
            catch (AmazonS3Exception e) when (e.ErrorCode == "SlowDown") { return false; }
        }
        await Polling.EventuallyAsync(TakenAsync, "a write taken again once the events went");
    }

    [Fact]
    public async Task An_HTTPS_webhook_with_a_private_CA_gets_events_with_its_bearer_token()
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-webhook-tls-").FullName;
        try
        {
            var (certPath, keyPath) = (Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"));
            TestCertificates.WriteSelfSigned("webhook", certPath, keyPath);
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certPath, keyPath);
            await using var webhook = await WebhookReceiver.StartAsync(certificate);
            Assert.StartsWith("https://", webhook.Url);
            await using var env = await StartAsync(webhook, new Dictionary<string, string?>
            {
                ["S3_OVERLAY_NOTIFY_WEBHOOK_AUTH_TOKEN_hooks"] = "s3cr3t",
                ["S3_OVERLAY_NOTIFY_WEBHOOK_CA_hooks"] = certPath,
            });

            await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "secure.txt", ContentBody = "tls" });

            await EventsAsync(webhook, 1);
            Assert.Equal("Bearer s3cr3t", webhook.Taken[0].Authorization);
            Assert.Equal(("s3:ObjectCreated:Put", "secure.txt"), Said(webhook.Records[0]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
