using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Http;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Overlay.Events;

/// <summary>
/// Deliveries to <c>POST /_overlay/events</c> as each sender writes them (RGW's bare Records with
/// opaque data, MinIO's with a bearer token and URL-encoded keys, AWS's through an SNS
/// subscription, signed with a certificate this test makes and serves), and what is refused:
/// without the token 401, with a wrong one (or a forged SNS signature) 403, and nothing changes.
/// The remote (s3rver) does not push: the test sends what a remote would, after changing it.
/// </summary>
[FunctionalTests]
public sealed class EventDeliveryTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Token = "delivery-test-token-0123456789";

    [Fact]
    public async Task Without_the_token_a_delivery_is_401_with_a_wrong_one_403_and_the_cached_copy_stays()
    {
        await using var env = await StartAsync();
        await CachedThenChangedAsync(env, "k.txt");
        using var http = new HttpClient();
        var events = Records(env.Bucket, "k.txt", "ObjectCreated:Put", "ceph:s3", opaque: "");

        var none = await PostAsync(http, env, events);
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal("AccessDenied", none.Code);
        var wrongQuery = await PostAsync(http, env, events, query: "?token=not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrongQuery.Status);
        var wrongBearer = await PostAsync(http, env, events, bearer: "not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrongBearer.Status);
        var wrongOpaque = await PostAsync(http, env, Records(env.Bucket, "k.txt", "ObjectCreated:Put", "ceph:s3", opaque: "not-the-token"));
        Assert.Equal(HttpStatusCode.Forbidden, wrongOpaque.Status);
        var notJson = await PostAsync(http, env, "{not json");
        Assert.Equal(HttpStatusCode.Unauthorized, notJson.Status);

        Assert.Equal("old", await ServedBody.ReadAsync(env, "k.txt"));
        var refused = await PostAsync(http, env, "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\"}]}", query: $"?token={Token}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("InvalidArgument", refused.Code);
        Assert.Equal("old", await ServedBody.ReadAsync(env, "k.txt"));
    }

    [Theory]
    [InlineData("query")]
    [InlineData("bearer")]
    [InlineData("opaque")]
    public async Task The_token_in_the_query_a_bearer_header_or_the_topics_opaque_data_is_taken(string where)
    {
        await using var env = await StartAsync();
        await CachedThenChangedAsync(env, "k.txt");
        using var http = new HttpClient();
        var answer = await PostAsync(http, env, Records(env.Bucket, "k.txt", "ObjectCreated:Put", "ceph:s3", opaque: where == "opaque" ? Token : ""),
            query: where == "query" ? $"?token={Token}" : "", bearer: where == "bearer" ? Token : null);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(["applied"], answer.Outcomes);
        Assert.Equal("new", await ServedBody.ReadAsync(env, "k.txt"));
    }

    [Fact]
    public async Task A_minio_delivery_names_its_key_url_encoded_and_a_removal_makes_the_key_404()
    {
        await using var env = await StartAsync();
        const string key = "dir/a b+c.txt";
        await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = "here", UseChunkEncoding = false });
        Assert.Equal("here", await ServedBody.ReadAsync(env, key));
        await env.FillsIdleAsync();
        await env.Remote.DeleteObjectAsync(env.Bucket, key);
        using var http = new HttpClient();

        // MinIO writes the key as Go's url.QueryEscape does: a space as '+', a '+' as %2B, '/' as %2F.
        var answer = await PostAsync(http, env, Records(env.Bucket, "dir%2Fa+b%2Bc.txt", "s3:ObjectRemoved:Delete", "minio:s3", opaque: null, etag: null), bearer: Token);

        Assert.Equal(["applied"], answer.Outcomes);
        Assert.Null(await ServedBody.ReadAsync(env, key));
    }

    [Fact]
    public async Task A_duplicate_or_an_older_event_changes_nothing_and_an_event_of_an_unread_bucket_is_unmapped()
    {
        await using var env = await StartAsync();
        using var http = new HttpClient();
        await CachedThenChangedAsync(env, "k.txt");
        var newer = Records(env.Bucket, "k.txt", "ObjectCreated:Put", "aws:s3", opaque: null, sequencer: "0055AED6DCD90281E6");
        Assert.Equal(["applied"], (await PostAsync(http, env, newer, bearer: Token)).Outcomes);
        Assert.Equal("new", await ServedBody.ReadAsync(env, "k.txt"));
        await env.FillsIdleAsync();
        env.Relay.ResetCounts();

        // The same event again, and one the remote sent before it (a shorter sequencer is padded on the right: 0055AED6DCD90281E5 < ...E6).
        Assert.Equal(["stale"], (await PostAsync(http, env, newer, bearer: Token)).Outcomes);
        var older = Records(env.Bucket, "k.txt", "ObjectRemoved:Delete", "aws:s3", opaque: null, sequencer: "0055AED6DCD90281E5", etag: null);
        Assert.Equal(["stale"], (await PostAsync(http, env, older, bearer: Token)).Outcomes);
        Assert.Equal("new", await ServedBody.ReadAsync(env, "k.txt"));
        Assert.Equal(0, env.Relay.TotalRequests);

        var elsewhere = Records("not-read-by-this-overlay", "k.txt", "ObjectCreated:Put", "aws:s3", opaque: null);
        Assert.Equal(["unmapped"], (await PostAsync(http, env, elsewhere, bearer: Token)).Outcomes);
    }

    [Fact]
    public async Task An_sns_subscription_is_confirmed_and_its_signed_notifications_applied_while_a_forged_one_is_refused()
    {
        using var key = RSA.Create(2048);
        var certificate = new CertificateRequest("CN=sns.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var pem = certificate.ExportCertificatePem();
        var confirmations = 0;
        await using var sns = await ScriptedServer.StartAsync(context =>
        {
            if (context.Request.Path == "/SimpleNotificationService-test.pem") return context.Response.WriteAsync(pem);
            if (context.Request.Path == "/confirm" && context.Request.Query["Token"] == "subscription-token") Interlocked.Increment(ref confirmations);
            return context.Response.WriteAsync("<ConfirmSubscriptionResponse/>");
        });
        await using var env = await StartAsync(("S3_OVERLAY_REMOTE_EVENTS_SNS_CERT_URL", sns.Url.TrimEnd('/') + "/"));
        await CachedThenChangedAsync(env, "k.txt");
        using var http = new HttpClient();
        var certUrl = sns.Url.TrimEnd('/') + "/SimpleNotificationService-test.pem";

        var confirmation = Sns(key, certUrl, "SubscriptionConfirmation", "You have chosen to subscribe", subscribeUrl: sns.Url.TrimEnd('/') + "/confirm?Token=subscription-token");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, env, confirmation, query: $"?token={Token}")).Status);
        Assert.Equal(1, confirmations);

        var message = Records(env.Bucket, "k.txt", "ObjectCreated:Put", "aws:s3", opaque: null);
        var forged = Sns(key, certUrl, "Notification", message, tamper: true);
        var refused = await PostAsync(http, env, forged, query: $"?token={Token}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("SignatureDoesNotMatch", refused.Code);
        Assert.Equal("old", await ServedBody.ReadAsync(env, "k.txt"));
        // A signed notification still needs the subscription URL's token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(http, env, Sns(key, certUrl, "Notification", message))).Status);

        var taken = await PostAsync(http, env, Sns(key, certUrl, "Notification", message), query: $"?token={Token}");
        Assert.Equal(["applied"], taken.Outcomes);
        Assert.Equal("new", await ServedBody.ReadAsync(env, "k.txt"));
    }

    [Fact]
    public async Task A_fill_under_way_when_its_key_changes_serves_its_reader_but_does_not_keep_the_old_object()
    {
        await using var env = await StartAsync();
        const long size = 2 * OverlayEnvironment.MiB;
        var first = await env.SeedRemoteAsync("moving.bin", size, 1);
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = 256 * 1024;
        env.Relay.PauseMidBody = remoteBody;
        var reader = env.GetAndCheckAsync("moving.bin", 1, size);
        await Polling.EventuallyAsync(() => env.Relay.BytesRelayed >= 256 * 1024, "the fill is under way");

        var replaced = await env.SeedRemoteAsync("moving.bin", size, 2);
        using var http = new HttpClient();
        var delivery = PostAsync(http, env, Records(env.Bucket, "moving.bin", "ObjectCreated:Put", "aws:s3", opaque: null, etag: replaced.ETag), bearer: Token);
        // The event waits for the fill of the old object to end before it looks at what is stored.
        await Polling.EventuallyAsync(() => env.Part<S3Overlay.Overlay.Events.RemoteChanges>().Superseded(env.Bucket, "moving.bin", first.ETag), "the event is taken");
        Assert.False(delivery.IsCompleted);
        env.Relay.PauseMidBody = null;
        remoteBody.SetResult();
        await reader; // the read that started the fill gets the object it began to read, whole
        Assert.Equal(["applied"], (await delivery).Outcomes);
        await env.FillsIdleAsync();

        Assert.False(await env.IsStoredLocallyAsync("moving.bin"));
        await env.GetAndCheckAsync("moving.bin", 2, size);
    }

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["S3_OVERLAY_REMOTE_EVENTS_TOKEN"] = Token, ["S3_OVERLAY_REMOTE_EVENTS_RECONCILE"] = "false" };
        foreach (var (name, value) in more) settings[name] = value;
        return OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, settings);
    }

    /// <summary>The key cached as "old", then replaced on the remote by "new" (no event yet: the overlay serves "old").</summary>
    private static async Task CachedThenChangedAsync(OverlayEnvironment env, string key)
    {
        await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = "old", UseChunkEncoding = false });
        Assert.Equal("old", await ServedBody.ReadAsync(env, key));
        await env.FillsIdleAsync();
        await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, ContentBody = "new", UseChunkEncoding = false });
        Assert.Equal("old", await ServedBody.ReadAsync(env, key));
    }

    /// <param name="etag">The new object's ETag ("new"'s MD5 unless said).</param>
    private static string Records(string bucket, string key, string eventName, string source, string? opaque, string? sequencer = null, string? etag = "22af645d1859cb5ca6da0c484f1f37ea")
    {
        var record = new Dictionary<string, object?>
        {
            ["eventVersion"] = "2.2",
            ["eventSource"] = source,
            ["eventName"] = eventName,
            ["s3"] = new Dictionary<string, object?>
            {
                ["bucket"] = new Dictionary<string, object?> { ["name"] = bucket },
                ["object"] = new Dictionary<string, object?> { ["key"] = key, ["eTag"] = etag, ["sequencer"] = sequencer ?? "" },
            },
        };
        if (opaque is not null) record["opaqueData"] = opaque;
        return JsonSerializer.Serialize(new { Records = new[] { record } });
    }

    /// <summary>An SNS message signed as SNS signs (SignatureVersion 2: SHA256withRSA over the documented fields).</summary>
    private static string Sns(RSA key, string certUrl, string type, string message, string? subscribeUrl = null, bool tamper = false)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Type"] = type,
            ["MessageId"] = Guid.NewGuid().ToString(),
            ["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:overlay-test",
            ["Message"] = message,
            ["Timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        };
        if (subscribeUrl is not null)
        {
            fields["SubscribeURL"] = subscribeUrl;
            fields["Token"] = "subscription-token";
        }
        var signed = new StringBuilder();
        foreach (var (name, value) in fields) signed.Append(name).Append('\n').Append(value).Append('\n');
        var signature = key.SignData(Encoding.UTF8.GetBytes(signed.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var envelope = new Dictionary<string, string>(fields)
        {
            ["SignatureVersion"] = "2",
            ["Signature"] = Convert.ToBase64String(signature),
            ["SigningCertURL"] = certUrl,
        };
        if (tamper) envelope["Message"] = message.Replace("ObjectCreated:Put", "ObjectRemoved:Delete", StringComparison.Ordinal);
        return JsonSerializer.Serialize(envelope);
    }

    private sealed record Delivery(HttpStatusCode Status, string? Code, IReadOnlyList<string> Outcomes);

    private static async Task<Delivery> PostAsync(HttpClient http, OverlayEnvironment env, string body, string query = "", string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{env.Proxy.Url}/_overlay/events{query}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            return new Delivery(response.StatusCode, XDocument.Parse(text).Root!.Element("Code")!.Value, []);
        using var json = JsonDocument.Parse(text);
        return new Delivery(response.StatusCode, null, json.RootElement.GetProperty("outcomes").EnumerateArray().Select(o => o.GetString()!).ToList());
    }
}
