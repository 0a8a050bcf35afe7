using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Tests.Reliability.Fuzz;

namespace S3Overlay.Tests.Security;

/// <summary>
/// Dot-segment keys, as an attacker sends them: a key's <c>.</c>/<c>..</c> segments must never
/// move a request to another bucket. An S3 local store refuses such keys (as MinIO does); the
/// embedded store keeps them as written (as S3 does); the overlay never asks the remote for one,
/// so no unmapped bucket, hidden prefix or whiteout can be reached through it. Relays record what
/// reaches the local s3rver and the remote.
/// </summary>
[FunctionalTests]
public sealed class DotSegmentKeyTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    [Fact]
    public async Task On_an_S3_local_store_a_public_bucket_gives_no_way_into_another_bucket()
    {
        var (pubw, priv) = ("pubw-" + Suffix(), "priv-" + Suffix());
        await using var local = await CountingRelay.StartAsync((await servers.LocalS3Async()).Url);
        await using var proxy = await ProxyServer.StartAsync(LocalS3(local));
        using var client = proxy.CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = pubw, CannedACL = S3CannedACL.PublicReadWrite });
        await client.PutBucketAsync(priv);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = priv, Key = "keep.txt", ContentBody = "kept" });
        local.ResetCounts();
        var port = new Uri(proxy.Url).Port;

        // Anonymous, through the bucket anyone may write: refused, as MinIO refuses the key.
        foreach (var method in new[] { "PUT", "DELETE" })
        {
            var answer = await new RawRequest(method, $"/{pubw}/..%2F{priv}%2Fkeep.txt") { Signed = false, Body = method == "PUT" ? "x"u8.ToArray() : [] }
                .SendAsync(port, default);
            AssertError(answer, 400, "InvalidObjectName");
        }
        // Signed, into the overlay's own records or another bucket: refused the same way.
        AssertError(await new RawRequest("PUT", $"/{priv}/..%2Fs3-overlay-cache%2Fforged.txt") { Body = "x"u8.ToArray() }.SendAsync(port, default), 400, "InvalidObjectName");
        AssertError(await new RawRequest("PUT", $"/{pubw}/copy.txt").Header("x-amz-copy-source", $"{pubw}/..%2F{priv}%2Fkeep.txt").SendAsync(port, default), 400, "InvalidObjectName");

        Assert.All(local.Targets.Select(RecordedTarget.Parse), t => Assert.True(t.ConfinedTo([pubw], "s3overlay-bucket-settings"), $"the store was sent {t}"));
        using var kept = await client.GetObjectAsync(priv, "keep.txt");
        Assert.Equal("kept", await new StreamReader(kept.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task The_overlay_never_asks_the_remote_for_a_dot_segment_key()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        var bucket = env.Bucket;
        await using var hidden = await env.StartAnotherProxyAsync(("S3_OVERLAY_HIDDEN_PREFIXES", $"{bucket}/private/"));
        var other = "other-" + Suffix();
        await env.Remote.PutBucketAsync(other);
        await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = other, Key = "s2.txt", ContentBody = "unmapped", UseChunkEncoding = false });
        await env.SeedRemoteAsync("private/secret.txt", 100, 1);
        await env.SeedRemoteAsync("a.txt", 100, 2);
        var port = new Uri(hidden.Url).Port;
        using var client = hidden.CreateClient(defaults: false);
        await client.PutBucketAsync(bucket);
        await client.DeleteObjectAsync(bucket, "a.txt"); // a whiteout over the remote's a.txt
        env.Relay.ResetCounts();

        foreach (var key in new[] { $"..%2F{other}%2Fs2.txt", "x%2F..%2Fprivate%2Fsecret.txt", ".%2Fprivate%2Fsecret.txt", "%2e%2e%2F" + bucket + "%2Fa.txt", "x%2F..%2Fa.txt" })
        {
            AssertError(await new RawRequest("GET", $"/{bucket}/{key}").SendAsync(port, default), 404, "NoSuchKey");
            Assert.Equal(404, (await new RawRequest("HEAD", $"/{bucket}/{key}").SendAsync(port, default))!.Status);
        }
        AssertError(await new RawRequest("PUT", $"/{bucket}/copy.txt").Header("x-amz-copy-source", $"{bucket}/..%2F{other}%2Fs2.txt").SendAsync(port, default), 404, "NoSuchKey");
        AssertError(await new RawRequest("PUT", $"/{bucket}/copy.txt").Header("x-amz-copy-source", $"{bucket}/x%2F..%2Fprivate%2Fsecret.txt").SendAsync(port, default), 404, "NoSuchKey");
        using var admin = new AdminHttp(hidden.Url);
        var (started, job) = await admin.SendAsync(HttpMethod.Post, $"warm/{bucket}?key={Uri.EscapeDataString($"../{other}/s2.txt")}");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started);
        var id = job.GetProperty("id").GetString();
        await EventuallyAsync(async () => (await admin.SendAsync(HttpMethod.Get, $"jobs/{id}")).Json.GetProperty("state").GetString() != "running", "the warm job ends");
        Assert.Equal(0, (await admin.SendAsync(HttpMethod.Get, $"jobs/{id}")).Json.GetProperty("objectsDone").GetInt32());

        // Not one path of another bucket, nor one a server could resolve, reached the remote: the remote was not asked at all.
        Assert.DoesNotContain(env.Relay.Targets.Select(RecordedTarget.Parse), t => !t.ConfinedTo([bucket]));
        Assert.DoesNotContain(env.Relay.Targets, t => t.Split('?')[0].Contains("s2.txt") || t.Split('?')[0].Contains("secret"));
        // The keys themselves still work as S3 keeps them: the embedded store holds them literally.
        Assert.Equal(200, (await new RawRequest("PUT", $"/{bucket}/x%2F..%2Fy.txt") { Body = "literal"u8.ToArray() }.SendAsync(port, default))!.Status);
        Assert.Equal("literal", Encoding.UTF8.GetString((await new RawRequest("GET", $"/{bucket}/x%2F..%2Fy.txt").SendAsync(port, default))!.Body));
        await Assert.ThrowsAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync(bucket, "y.txt"));
        Assert.Contains("x/../y.txt", (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "x/" })).S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task The_admin_api_takes_only_bucket_names()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        using var admin = new AdminHttp(env.Proxy.Url);
        foreach (var name in new[] { "..%2F..", "a%2Fb", "%2e%2e", "-x", ".hidden" })
        {
            var (status, json) = await admin.SendAsync(HttpMethod.Get, $"whiteouts/{name}");
            // 400 for a name the API reads as a bucket; 404 where routing has already resolved the dots away.
            Assert.True(status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound, $"{name}: {status} {json}");
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, $"whiteouts/{env.Bucket}")).Status);
    }

    private static Dictionary<string, string?> LocalS3(CountingRelay local) => S3rverProcess.UserAt(local.Url).AsLocalStore();

    private static string Suffix() => Guid.NewGuid().ToString("N")[..8];

    private static void AssertError(RawResponse? answer, int status, string code)
    {
        Assert.NotNull(answer);
        var body = Encoding.UTF8.GetString(answer.Body);
        Assert.True(answer.Status == status, $"expected {status} {code}, got {answer.Status}: {body}");
        Assert.Equal(code, XElement.Parse(body).Element("Code")?.Value);
    }
}
