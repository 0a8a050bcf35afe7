using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Versions;

/// <summary>
/// SIGKILL during versioned writes and deletes on the embedded store: after each restart every
/// listed version is whole (its bytes are exactly those some PUT sent for its key), every
/// acknowledged version and delete marker is still listed and readable, each key has one latest
/// version, and a plain GET agrees with it.
/// </summary>
[ReliabilityTests]
public sealed class VersioningCrashTests
{
    private const string Bucket = "crash-versions";
    private static readonly string[] Keys = ["a.bin", "dir/b.bin", "c.bin"];

    [Fact]
    public async Task Killed_during_versioned_writes_every_version_is_whole_or_absent_and_none_acknowledged_is_lost()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-crash-versions-").FullName;
        var environment = new Dictionary<string, string> { ["S3_OVERLAY_DATA_DIR"] = dataDir, ["AWS_EC2_METADATA_DISABLED"] = "true" };
        var acknowledged = new ConcurrentBag<(string Key, string VersionId, bool Marker)>();
        var counter = 0;
        var random = new Random(5757);
        try
        {
            for (var round = 0; round < 4; round++)
            {
                await using var proxy = await ProxyProcess.StartAsync(environment);
                using var s3 = Client(proxy.Url);
                if (round == 0)
                {
                    await s3.PutBucketAsync(Bucket);
                    await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
                    {
                        BucketName = Bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
                    });
                }
                else await CheckAsync(s3, acknowledged);

                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var n = Interlocked.Increment(ref counter);
                        var key = Keys[n % Keys.Length];
                        try
                        {
                            if (n % 7 == 0)
                            {
                                var deleted = await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key });
                                acknowledged.Add((key, deleted.VersionId, true));
                            }
                            else
                            {
                                var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(Body(key, n)) });
                                acknowledged.Add((key, put.VersionId, false));
                            }
                        }
                        catch (Exception)
                        {
                            if (stop.IsCancellationRequested) return;
                            await Task.Delay(10);
                        }
                    }
                })).ToList();
                // Killed once the writers are under way (on a loaded machine a fresh server's first
                // writes can take most of a second), at a random moment after that.
                var started = acknowledged.Count;
                for (var waited = 0; acknowledged.Count < started + 6 && waited < 60_000; waited += 20) await Task.Delay(20);
                await Task.Delay(random.Next(600));
                await proxy.KillAsync();
                stop.Cancel();
                await Task.WhenAll(writers);
            }
            await using (var last = await ProxyProcess.StartAsync(environment))
            {
                using var s3 = Client(last.Url);
                await CheckAsync(s3, acknowledged);
            }
            Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} writes were acknowledged: the kills proved little");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static AmazonS3Client Client(string url) => new(new BasicAWSCredentials(ProxyServer.AccessKey, ProxyServer.SecretKey), new AmazonS3Config
    {
        ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0,
    });

    /// <summary>A body that says which write it is: its key and number, then filler of a length and letter that follow from them.</summary>
    private static byte[] Body(string key, int n)
    {
        var head = Encoding.UTF8.GetBytes($"{key}|{n}|");
        var body = new byte[head.Length + 40_000 + n * 37 % 30_000];
        head.CopyTo(body, 0);
        body.AsSpan(head.Length).Fill((byte)('a' + n % 26));
        return body;
    }

    private static async Task CheckAsync(AmazonS3Client s3, ConcurrentBag<(string Key, string VersionId, bool Marker)> acknowledged)
    {
        var listed = new List<S3ObjectVersion>();
        var request = new ListVersionsRequest { BucketName = Bucket, MaxKeys = 50 };
        while (true)
        {
            var page = await s3.ListVersionsAsync(request);
            listed.AddRange(page.Versions ?? []);
            if (page.IsTruncated != true) break;
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
        foreach (var version in listed.Where(v => v.IsDeleteMarker != true))
        {
            using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId });
            using var bytes = new MemoryStream();
            await got.ResponseStream.CopyToAsync(bytes);
            var text = Encoding.UTF8.GetString(bytes.GetBuffer(), 0, Math.Min(64, (int)bytes.Length));
            var parts = text.Split('|');
            Assert.True(parts.Length >= 3 && parts[0] == version.Key && int.TryParse(parts[1], out _), $"{version.Key} {version.VersionId}: not a body that was sent");
            Assert.True(Body(version.Key, int.Parse(parts[1])).AsSpan().SequenceEqual(bytes.ToArray()), $"{version.Key} {version.VersionId}: torn");
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(bytes.ToArray()))}\"", version.ETag);
        }
        foreach (var (key, versionId, marker) in acknowledged)
            Assert.True(listed.Any(v => v.Key == key && v.VersionId == versionId && (v.IsDeleteMarker == true) == marker), $"acknowledged {(marker ? "delete marker" : "version")} {key} {versionId} lost");
        foreach (var key in Keys)
        {
            var latest = listed.Where(v => v.Key == key && v.IsLatest == true).ToList();
            if (!listed.Any(v => v.Key == key)) continue;
            var only = Assert.Single(latest);
            if (only.IsDeleteMarker == true)
                Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Bucket, key))).StatusCode);
            else
                Assert.Equal(only.VersionId, (await s3.GetObjectMetadataAsync(Bucket, key)).VersionId);
        }
    }
}
