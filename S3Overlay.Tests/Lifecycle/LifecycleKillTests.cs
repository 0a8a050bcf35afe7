using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Lifecycle;

/// <summary>
/// A proxy killed (SIGKILL) in the middle of a lifecycle scan: every object is either expired
/// whole or there whole, nothing a rule does not name yet is touched, and the next process's
/// scans finish the job.
/// </summary>
[ReliabilityTests]
[StartsFirst]
public sealed class LifecycleKillTests
{
    private const string Bucket = "killed-scan";
    private const int OldObjects = 1500;
    private const int YoungObjects = 40;
    private const int Size = 3000;

    [Fact]
    public async Task A_scan_killed_midway_leaves_every_object_whole_or_gone_and_the_next_scans_finish_it()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-lifecycle-kill-").FullName;
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["S3_OVERLAY_DATA_DIR"] = dataDir,
                ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
                ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = "2",
            };
            await using (var first = await ProxyProcess.StartAsync(environment))
            {
                using var client = S3Clients.Create(first.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
                await client.PutBucketAsync(Bucket);
                await Parallel.ForEachAsync(Enumerable.Range(0, OldObjects + YoungObjects), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                    await client.PutPatternAsync(Bucket, KeyOf(i), Size, i));
                // Every old object's day (2 s) has passed before the rules exist: the first scan
                // that reads them has 1,500 objects to expire.
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                await PutRulesAsync(client, first.Url);

                try
                {
                    await Polling.EventuallyAsync(async () => await ExpiredSoFarAsync(first.Url) > 0, "a scan starts expiring", TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException)
                {
                    throw new Xunit.Sdk.XunitException($"{e.Message}; the scanner's status: {(await LifecycleStatusAsync(first.Url)).GetRawText()}; the proxy wrote:{Environment.NewLine}{first.RecentOutput}");
                }
                await first.KillAsync();
            }

            // A process that does not scan (its first scan is a minute away) looks at what the kill left.
            environment["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "3600";
            await using (var look = await ProxyProcess.StartAsync(environment))
            {
                using var client = S3Clients.Create(look.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
                var keys = await AllKeysAsync(client);
                var old = keys.Count(k => k.StartsWith("old/", StringComparison.Ordinal));
                Assert.True(old is > 0 and < OldObjects, $"the kill came mid-scan: {old} of {OldObjects} old objects left");
                Assert.Equal(YoungObjects, keys.Count(k => k.StartsWith("young/", StringComparison.Ordinal)));
                foreach (var key in keys)
                {
                    var i = IndexOf(key);
                    using var response = await client.GetObjectAsync(Bucket, key);
                    Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, 0, Size, i));
                }
            }

            environment["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1";
            await using var next = await ProxyProcess.StartAsync(environment);
            using var nextClient = S3Clients.Create(next.Url, ProxyServer.AccessKey, ProxyServer.SecretKey);
            await Polling.EventuallyAsync(async () => (await AllKeysAsync(nextClient)).All(k => k.StartsWith("young/", StringComparison.Ordinal)),
                "the next process's scans expire the rest", TimeSpan.FromSeconds(60));
            Assert.Equal(YoungObjects, (await AllKeysAsync(nextClient)).Count);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static string KeyOf(int i) => i < OldObjects ? $"old/{i:D5}" : $"young/{i:D5}";

    private static int IndexOf(string key) => int.Parse(key[(key.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task PutRulesAsync(AmazonS3Client client, string url)
    {
        const string rules = "<LifecycleConfiguration>"
            + "<Rule><ID>old</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
            + "<Rule><ID>young</ID><Filter><Prefix>young/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>100000</Days></Expiration></Rule>"
            + "</LifecycleConfiguration>";
        using var http = new HttpClient(new SigningHandler());
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{url}/{Bucket}?lifecycle") { Content = new StringContent(rules) };
        request.Content.Headers.ContentMD5 = MD5.HashData(Encoding.UTF8.GetBytes(rules));
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The status page's <c>lifecycle</c> section: the scan under way, the last one, the totals.</summary>
    private static async Task<JsonElement> LifecycleStatusAsync(string url)
    {
        using var http = new HttpClient();
        using var status = JsonDocument.Parse(await http.GetStringAsync(url + "/_overlay/status?format=json"));
        return status.RootElement.GetProperty("lifecycle").Clone();
    }

    /// <summary>What the scan under way has expired (or the last one, when none is under way).</summary>
    private static async Task<long> ExpiredSoFarAsync(string url)
    {
        var lifecycle = await LifecycleStatusAsync(url);
        foreach (var name in (string[])["running", "last"])
            if (lifecycle.TryGetProperty(name, out var scan) && scan.ValueKind == JsonValueKind.Object && scan.GetProperty("objectsExpired").GetInt64() > 0)
                return scan.GetProperty("objectsExpired").GetInt64();
        return 0;
    }

    private static async Task<List<string>> AllKeysAsync(AmazonS3Client client)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }
}
