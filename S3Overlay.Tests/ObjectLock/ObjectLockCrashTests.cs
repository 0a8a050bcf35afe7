using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.ObjectLock;

/// <summary>
/// SIGKILL while locks are written on the embedded store: retention extended on one version while
/// new versions of its key (which move it out of place) and held versions are written. After each
/// restart no lock is weaker than one acknowledged: the version's retention is COMPLIANCE until at
/// least the latest date acknowledged, every acknowledged legal hold is on, and none can be deleted.
/// </summary>
[ReliabilityTests]
public sealed class ObjectLockCrashTests
{
    private const string Bucket = "crash-locks";
    private const string Key = "ledger.bin";

    [Fact]
    public async Task Killed_during_lock_writes_no_acknowledged_lock_is_weakened()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-crash-locks-").FullName;
        var environment = new Dictionary<string, string> { ["S3_OVERLAY_DATA_DIR"] = dataDir, ["AWS_EC2_METADATA_DISABLED"] = "true" };
        var start = DateTime.UtcNow.Date.AddDays(2);
        var held = new ConcurrentBag<string>();
        long latestDay = 0; // days after start acknowledged for the ledger's retention
        var counter = 0;
        string? ledger = null;
        var random = new Random(4242);
        try
        {
            for (var round = 0; round < 4; round++)
            {
                await using var proxy = await ProxyProcess.StartAsync(environment);
                using var s3 = Client(proxy.Url);
                if (round == 0)
                {
                    await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket, ObjectLockEnabledForBucket = true });
                    ledger = (await s3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = Bucket, Key = Key, ContentBody = "the ledger",
                        ObjectLockMode = ObjectLockMode.Compliance, ObjectLockRetainUntilDate = start,
                    })).VersionId;
                }
                else await CheckAsync(s3, ledger!, start.AddDays(Interlocked.Read(ref latestDay)), held);

                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var n = Interlocked.Increment(ref counter);
                        try
                        {
                            if (w == 0)
                            {
                                // One writer extends, so each acknowledged date is later than the one before.
                                await s3.PutObjectRetentionAsync(new PutObjectRetentionRequest
                                {
                                    BucketName = Bucket, Key = Key, VersionId = ledger,
                                    Retention = new ObjectLockRetention { Mode = ObjectLockRetentionMode.Compliance, RetainUntilDate = start.AddDays(n) },
                                });
                                Interlocked.Exchange(ref latestDay, n);
                            }
                            else if (w == 1)
                            {
                                var put = await s3.PutObjectAsync(new PutObjectRequest
                                {
                                    BucketName = Bucket, Key = $"held/{n}", ContentBody = $"held {n}", ObjectLockLegalHoldStatus = ObjectLockLegalHoldStatus.On,
                                });
                                held.Add($"held/{n}|{put.VersionId}");
                            }
                            else await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Key, ContentBody = new string('x', 1000 + n) });
                        }
                        catch (Exception)
                        {
                            if (stop.IsCancellationRequested) return;
                            await Task.Delay(10);
                        }
                    }
                })).ToList();
                // Killed only once this round has had lock writes acknowledged (a busy machine starts slowly), then at a random moment among them.
                var (daysBefore, heldBefore) = (Interlocked.Read(ref latestDay), held.Count);
                for (var waited = 0; waited < 600 && (Interlocked.Read(ref latestDay) == daysBefore || held.Count == heldBefore); waited++) await Task.Delay(50);
                await Task.Delay(100 + random.Next(500));
                await proxy.KillAsync();
                stop.Cancel();
                await Task.WhenAll(writers);
            }
            await using var last = await ProxyProcess.StartAsync(environment);
            using var client = Client(last.Url);
            await CheckAsync(client, ledger!, start.AddDays(Interlocked.Read(ref latestDay)), held);
            Assert.True(Interlocked.Read(ref latestDay) > 0 && !held.IsEmpty, "no lock write was acknowledged before the kills");
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task CheckAsync(AmazonS3Client s3, string ledger, DateTime atLeast, IEnumerable<string> held)
    {
        var retention = (await s3.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = Bucket, Key = Key, VersionId = ledger })).Retention;
        Assert.Equal(ObjectLockRetentionMode.Compliance, retention.Mode);
        Assert.True(retention.RetainUntilDate >= atLeast, $"retention until {retention.RetainUntilDate:O}, acknowledged until {atLeast:O}");
        await AssertDeniedAsync(s3, Key, ledger);
        foreach (var entry in held)
        {
            var (key, version) = (entry.Split('|')[0], entry.Split('|')[1]);
            var hold = await s3.GetObjectLegalHoldAsync(new GetObjectLegalHoldRequest { BucketName = Bucket, Key = key, VersionId = version });
            Assert.Equal(ObjectLockLegalHoldStatus.On, hold.LegalHold.Status);
            await AssertDeniedAsync(s3, key, version);
        }
    }

    private static async Task AssertDeniedAsync(AmazonS3Client s3, string key, string version)
    {
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.DeleteObjectAsync(new DeleteObjectRequest
        {
            BucketName = Bucket, Key = key, VersionId = version, BypassGovernanceRetention = true,
        }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }

    private static AmazonS3Client Client(string url) => new(new BasicAWSCredentials(ProxyServer.AccessKey, ProxyServer.SecretKey), new AmazonS3Config
    {
        ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0,
    });
}
