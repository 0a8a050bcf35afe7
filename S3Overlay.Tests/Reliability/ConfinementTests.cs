using System.Text;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using S3Overlay.Tests.Reliability.Fuzz;
using S3Overlay.Tests.Security;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The confinement property: a request acts only on the bucket it addresses. Every
/// handler, with every dot-segment and encoded spelling of a key, goes to an overlay kept in an S3
/// local store (s3rver) over a remote (s3rver), each behind a relay that records what it is sent;
/// no request may send either of them a path of another bucket, or one a server could resolve.
/// The slice runs each handler with each spelling; the full run adds seeded random keys.
/// </summary>
[ReliabilityTests]
public sealed class ConfinementTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Bucket = "conf";
    private const string RemoteBucket = "conf-remote";
    private const string Other = "other";
    private const string CacheBucket = "conf-cache";

    /// <summary>Spellings of a key on the wire: dots plain and encoded, slashes plain and encoded, trailing dot segments.</summary>
    private static readonly string[] Spellings =
    [
        "..%2Fother%2Fk", "%2e%2e%2Fother%2Fk", "%2E%2E%2F%2E%2E%2Fother%2Fk", "x%2F..%2F..%2Fother%2Fk", "a/..%2F..%2Fother%2Fk",
        "%2e%2e/other/k", "../other/k", "..", ".", "%2e", "%2E%2E", ".%2Fk", "k%2F.", "k%2F..", "k/..", "k/.", "x/../k", "x/%2e%2e/k",
        "x%2F.%2Fk", "..%5Cother%5Ck",
    ];

    [Fact]
    public async Task No_handler_sends_the_store_or_the_remote_a_path_outside_the_bucket_it_addresses()
    {
        await using var local = await CountingRelay.StartAsync((await servers.LocalS3Async()).Url);
        await using var remote = await CountingRelay.StartAsync(servers.Remote.Url);
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>(S3rverProcess.UserAt(local.Url).AsLocalStore())
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = remote.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_BUCKET_MAPPING"] = $"{Bucket}:{RemoteBucket}",
            ["S3_OVERLAY_CACHE_ENABLED"] = "true",
            ["S3_OVERLAY_CACHE_BUCKET"] = CacheBucket,
            // The lifecycle scanner lists every bucket of the shared store and reads its rules: background
            // work, not a handler's, that the relays would put down to the request in flight (a full run
            // outlasts the first scan, a minute after start-up).
            ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "0",
        });
        using var client = proxy.CreateClient();
        await client.PutBucketAsync(Bucket);
        await client.PutBucketAsync(Other);
        await client.PutObjectAsync(new() { BucketName = Other, Key = "k", ContentBody = "other's" });
        await client.PutObjectAsync(new() { BucketName = Bucket, Key = "ok.txt", ContentBody = "ok" });
        await servers.RemoteClient.PutBucketAsync(RemoteBucket);
        await servers.RemoteClient.PutBucketAsync(Other);
        await servers.RemoteClient.PutObjectAsync(new() { BucketName = Other, Key = "k", ContentBody = "remote other's", UseChunkEncoding = false });
        var upload = (await client.InitiateMultipartUploadAsync(Bucket, "mp")).UploadId;

        var seed = ReliabilityRun.Seed(20261125);
        var random = new Random(seed);
        var keys = Spellings.Concat(Enumerable.Range(0, ReliabilityRun.Scale(0, 400)).Select(_ => RandomKey(random))).ToList();
        var port = new Uri(proxy.Url).Port;
        var violations = new List<string>();
        var sent = 0;
        foreach (var key in keys)
        foreach (var request in Requests(key, upload))
        {
            local.ResetCounts();
            remote.ResetCounts();
            await request.SendAsync(port, TestContext.Current.CancellationToken);
            sent++;
            var buckets = AddressedBuckets(request);
            foreach (var target in local.Targets.Select(RecordedTarget.Parse).Where(t => !t.ConfinedTo(buckets, CacheBucket, "s3overlay-bucket-settings")))
                violations.Add($"{request.Description}: the local store was sent {target}");
            foreach (var target in remote.Targets.Select(RecordedTarget.Parse).Where(t => !t.ConfinedTo(buckets)))
                violations.Add($"{request.Description}: the remote was sent {target}");
        }

        ReliabilityRun.Report("confinement", $"{sent} requests, {keys.Count} key spellings × every handler (seed {seed})", $"{violations.Count} paths outside the addressed bucket");
        Assert.True(violations.Count == 0, $"seed {seed}: {violations.Count} requests reached another bucket or sent a dot segment:\n{string.Join("\n", violations.Take(30))}");
    }

    /// <summary>Every handler that takes a key, with this spelling of it where the key goes (and as a copy source).</summary>
    private static IEnumerable<RawRequest> Requests(string key, string upload)
    {
        var path = $"/{Bucket}/{key}";
        var decoded = Uri.UnescapeDataString(key);
        RawRequest Make(string method, string target, string? body = null, params (string, string)[] headers)
        {
            var request = new RawRequest(method, target) { Description = $"{method} {target}" };
            if (body is not null) request.Body = Encoding.UTF8.GetBytes(body);
            foreach (var (name, value) in headers) request.Header(name, value);
            return request;
        }
        yield return Make("GET", path);
        yield return Make("HEAD", path);
        yield return Make("PUT", path, "written");
        yield return Make("DELETE", path);
        yield return Make("GET", path + "?tagging");
        yield return Make("PUT", path + "?tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>");
        yield return Make("GET", path + "?acl");
        yield return Make("PUT", path + "?acl", "", ("x-amz-acl", "public-read"));
        yield return Make("GET", path + "?attributes", null, ("x-amz-object-attributes", "ETag,ObjectSize"));
        yield return Make("POST", path + "?uploads");
        yield return Make("PUT", $"{path}?partNumber=1&uploadId={upload}", "part");
        yield return Make("POST", $"{path}?uploadId={upload}", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>");
        yield return Make("GET", $"{path}?uploadId={upload}");
        yield return Make("DELETE", $"{path}?uploadId={upload}");
        yield return Make("PUT", $"/{Bucket}/copied.txt", "", ("x-amz-copy-source", $"{Bucket}/{key}"));
        yield return Make("PUT", $"/{Bucket}/copied.txt", "", ("x-amz-copy-source", $"/{Bucket}/{key}"));
        yield return Make("PUT", path, "", ("x-amz-copy-source", $"{Bucket}/ok.txt"));
        yield return Make("PUT", $"/{Bucket}/mp?partNumber=2&uploadId={upload}", "", ("x-amz-copy-source", $"{Bucket}/{key}"));
        yield return Make("POST", $"/{Bucket}?delete", $"<Delete><Object><Key>{System.Security.SecurityElement.Escape(decoded)}</Key></Object></Delete>");
        yield return Make("GET", $"/{Bucket}?list-type=2&prefix={key}");
        var warm = Make("POST", $"/_overlay/api/warm/{Bucket}?key={key}");
        warm.Signed = false;
        warm.Header("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        yield return warm;
    }

    /// <summary>
    /// The buckets a request addresses, as S3 (and the proxy) read them: the path's first segment
    /// of the target as sent, never resolved (<c>/conf/../other/k</c> is key <c>../other/k</c> of
    /// bucket <c>conf</c>), and a copy's source bucket.
    /// </summary>
    private static string[] AddressedBuckets(RawRequest request)
    {
        var path = request.Target.Split('?')[0];
        var bucket = path.StartsWith("/_overlay/api/warm/", StringComparison.Ordinal) ? Bucket : Uri.UnescapeDataString(path.Split('/')[1]);
        string[] buckets = bucket == Bucket ? [Bucket, RemoteBucket] : [bucket];
        var source = request.Headers.FirstOrDefault(h => h.Name == "x-amz-copy-source").Value;
        return source is null ? buckets : [.. buckets, Uri.UnescapeDataString(source).TrimStart('/').Split('/')[0]];
    }

    private static string RandomKey(Random random)
    {
        string[] pieces = ["..", ".", "%2e", "%2E%2E", "%2F", "/", "%2f", "k", "other", "x", "%5C", "..%2F", "%2e%2e%2F"];
        return string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => pieces[random.Next(pieces.Length)]));
    }
}
