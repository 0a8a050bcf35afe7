using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Storage.Versions;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// SIGKILL at random moments under PUTs (new keys and overwrites, plain and encoded: <c>x</c> beside
/// <c>x/y</c>, <c>p//q</c>), DELETEs, multipart completions, versioned writes and deletes and lifecycle
/// expiry (keys <c>top*</c> expire a second after they are written): after
/// each restart the listings (paged, with and without a delimiter) name exactly the keys a HEAD finds,
/// each with the size and ETag the HEAD tells, in an unversioned and a versioned bucket: the listing
/// index (its keys and their descriptions) and the files agree. In the versioned bucket the
/// versions listing the restarted server gives (paged, with and without a delimiter) is what a walk
/// of the files the kill left lists (a store that keeps no index, opened while no server runs): every
/// version, delete marker and IsLatest of every key the index names as having versions, and no other;
/// and in both buckets the uploads in progress (a kill leaves some begun and not completed) are
/// listed by the server as the walk of their folders lists them.
/// </summary>
[ReliabilityTests]
public sealed class ListingIndexCrashTests
{
    private const int PartSize = 64 * 1024;
    private static readonly string[] Buckets = ["crash-index", "crash-index-versions"];

    /// <summary>Keys that share folders, keys stored in the store's area (a folder's name, an empty segment), and a folder marker.</summary>
    private static readonly string[] Keys =
    [
        .. Enumerable.Range(0, 12).Select(i => $"d/{i % 3}/k{i}"), .. Enumerable.Range(0, 6).Select(i => $"top{i}"),
        "x", "x/y", "x/y/z", "p//q", "m/", "m/n",
    ];

    [Fact]
    public async Task Killed_under_writes_deletes_and_completions_the_listings_name_exactly_the_keys_a_HEAD_finds()
    {
        var dataDir = Directory.CreateTempSubdirectory("s3overlay-crash-index-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["S3_OVERLAY_DATA_DIR"] = dataDir, ["AWS_EC2_METADATA_DISABLED"] = "true", ["S3_OVERLAY_MULTIPART_MIN_PART_SIZE"] = PartSize.ToString(),
            // Lifecycle expiry deletes keys as clients do: a "day" is a second, the scanner runs every second.
            ["S3_OVERLAY_LIFECYCLE_DAY_SECONDS"] = "1", ["S3_OVERLAY_LIFECYCLE_INTERVAL"] = "1",
        };
        var seed = ReliabilityRun.Seed(6868);
        var random = new Random(seed);
        var done = 0;
        var rounds = ReliabilityRun.Scale(4, 12);
        try
        {
            for (var round = 0; round <= rounds; round++)
            {
                (List<string> Flat, List<string> RolledUp, List<string> Uploads)? walked = round == 0 ? null : await WalkedVersionsAsync(dataDir);
                await using var proxy = await ProxyProcess.StartAsync(environment);
                using var s3 = Client(proxy.Url);
                if (round == 0)
                {
                    foreach (var bucket in Buckets) await s3.PutBucketAsync(bucket);
                    await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
                    {
                        BucketName = Buckets[1], VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
                    });
                    foreach (var bucket in Buckets)
                    {
                        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
                        {
                            BucketName = bucket,
                            Configuration = new LifecycleConfiguration
                            {
                                Rules =
                                [
                                    new LifecycleRule
                                    {
                                        Id = "expire-top", Status = LifecycleRuleStatus.Enabled, Expiration = new LifecycleRuleExpiration { Days = 1 },
                                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "top" } },
                                    },
                                ],
                            },
                        });
                    }
                }
                else
                {
                    foreach (var bucket in Buckets) await CheckAsync(s3, bucket);
                    await CheckVersionsAsync(s3, walked!.Value);
                }
                if (round == rounds) break;

                using var stop = new CancellationTokenSource();
                var writersSeed = random.Next();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    var own = new Random(writersSeed + w);
                    while (!stop.IsCancellationRequested)
                    {
                        var bucket = Buckets[own.Next(Buckets.Length)];
                        var key = Keys[own.Next(Keys.Length)];
                        try
                        {
                            switch (own.Next(10))
                            {
                                case < 5: await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(new byte[own.Next(1, 20_000)]) }); break;
                                case < 8: await s3.DeleteObjectAsync(bucket, key); break;
                                default: await MultipartAsync(s3, bucket, key, stop.Token); break;
                            }
                            Interlocked.Increment(ref done);
                        }
                        catch (Exception)
                        {
                            if (stop.IsCancellationRequested) return;
                            await Task.Delay(5);
                        }
                    }
                })).ToList();
                // Killed once the writers are well under way (a slow disk flushes each write for tens of
                // milliseconds), at a random moment after that.
                var started = Volatile.Read(ref done);
                for (var waited = 0; Volatile.Read(ref done) < started + 8 && waited < 60_000; waited += 20) await Task.Delay(20);
                await Task.Delay(random.Next(400));
                await proxy.KillAsync();
                stop.Cancel();
                await Task.WhenAll(writers);
            }
            Assert.True(done > rounds * 8, $"only {done} operations were acknowledged: the kills proved little");
            ReliabilityRun.Report("listing index under kills", $"{rounds} SIGKILLs under {done} PUTs, DELETEs, multipart completions, versioned writes and lifecycle expiries",
                "0 listings that named a key a HEAD did not find, or left out one it did");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"seed {seed} (RELIABILITY_SEED={seed} repeats it): {e.Message}", e);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task MultipartAsync(AmazonS3Client s3, string bucket, string key, CancellationToken ct)
    {
        var upload = await s3.InitiateMultipartUploadAsync(bucket, key, ct);
        var parts = new List<PartETag>();
        for (var n = 1; n <= 2; n++)
        {
            var part = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = n, InputStream = new MemoryStream(new byte[PartSize]),
            }, ct);
            parts.Add(new PartETag(n, part.ETag));
        }
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, ct);
    }

    /// <summary>
    /// The listings against the keys a HEAD finds just before and just after them: nothing writes
    /// then but the lifecycle scanner, which only deletes, so each listing lies between the two.
    /// </summary>
    private static async Task CheckAsync(AmazonS3Client s3, string bucket)
    {
        var found = await PresentAsync(s3, bucket);
        var before = found.Keys.ToList();
        var described = new List<S3Object>();
        var flat = await ListAsync(s3, bucket, null, 5, described);
        var rolledUp = await ListAsync(s3, bucket, "/", 2);
        var after = (await PresentAsync(s3, bucket)).Keys.ToList();
        Assert.Equal(flat.Distinct().Count(), flat.Count);
        Assert.True(after.All(flat.Contains) && flat.All(before.Contains),
            $"{bucket}: listed [{string.Join(", ", flat)}], found by HEAD [{string.Join(", ", before)}] then [{string.Join(", ", after)}]");
        foreach (var listed in described)
            Assert.True(found[listed.Key] == (listed.Size ?? -1, listed.ETag),
                $"{bucket}: {listed.Key} listed with size {listed.Size} and ETag {listed.ETag}, a HEAD found {found[listed.Key]}");
        Assert.True(RolledUp(after).All(rolledUp.Contains) && rolledUp.All(RolledUp(before).Contains),
            $"{bucket}: listed with / [{string.Join(", ", rolledUp)}], found by HEAD [{string.Join(", ", before)}] then [{string.Join(", ", after)}]");
        Assert.Equal(rolledUp.Order(StringComparer.Ordinal), rolledUp); // ASCII keys: S3's byte order
    }

    /// <summary>
    /// The versioned bucket's versions as the files hold them, walked by a store that keeps no index
    /// (the server is down). Keys <c>top*</c> are left out of both sides: the restarted server's
    /// lifecycle scanner may expire them between the walk and its listing.
    /// </summary>
    private static async Task<(List<string> Flat, List<string> RolledUp, List<string> Uploads)> WalkedVersionsAsync(string dataDir)
    {
        using var files = new FileSystemObjectStore(dataDir, TimeProvider.System, new FileSystemStoreOptions());
        var uploads = new List<string>();
        foreach (var bucket in Buckets)
        {
            string? keyMarker = null, uploadIdMarker = null;
            while (true)
            {
                var page = await files.ListMultipartUploadsAsync(bucket, new UploadsRequest("", null, keyMarker, uploadIdMarker, 2), CancellationToken.None);
                uploads.AddRange(page.Uploads.Select(u => $"{bucket} {u.Key} {u.UploadId}"));
                if (!page.IsTruncated) break;
                (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
            }
        }
        async Task<List<string>> ListAsync(string? delimiter)
        {
            var listed = new List<string>();
            string? keyMarker = null, versionIdMarker = null;
            while (true)
            {
                var page = await files.ListObjectVersionsAsync(Buckets[1], new VersionsRequest("", delimiter, keyMarker, versionIdMarker, 3), CancellationToken.None);
                listed.AddRange(page.Versions.Select(v => Described(v.Info.Key, v.VersionId, v.IsLatest, v.IsDeleteMarker, v.Info.Size, v.Info.ETag)));
                listed.AddRange(page.CommonPrefixes);
                if (!page.IsTruncated) return Untimed(listed);
                (keyMarker, versionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
            }
        }
        var walked = (await ListAsync(null), await ListAsync("/"), uploads);
        // A listing changes no file: the restarted server's index is the one the kill left, not one rebuilt because of this walk.
        Assert.False(File.Exists(Path.Join(dataDir, ".s3overlay", "index", "changed-by-others")), "walking the versions changed files");
        return walked;
    }

    /// <summary>The versioned bucket's versions as the restarted server lists them, against the walk of its files before it started.</summary>
    private static async Task CheckVersionsAsync(AmazonS3Client s3, (List<string> Flat, List<string> RolledUp, List<string> Uploads) walked)
    {
        var uploads = new List<string>();
        foreach (var bucket in Buckets)
        {
            var request = new ListMultipartUploadsRequest { BucketName = bucket, MaxUploads = 2 };
            while (true)
            {
                var page = await s3.ListMultipartUploadsAsync(request);
                uploads.AddRange((page.MultipartUploads ?? []).Select(u => $"{bucket} {u.Key} {u.UploadId}"));
                if (page.IsTruncated != true) break;
                (request.KeyMarker, request.UploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
            }
        }
        Assert.True(walked.Uploads.SequenceEqual(uploads), $"uploads in progress: the server listed [{string.Join(", ", uploads)}], the files hold [{string.Join(", ", walked.Uploads)}]");
        foreach (var (delimiter, expected) in new[] { ((string?)null, walked.Flat), ("/", walked.RolledUp) })
        {
            var listed = new List<string>();
            var request = new ListVersionsRequest { BucketName = Buckets[1], Delimiter = delimiter, MaxKeys = 3 };
            while (true)
            {
                var page = await s3.ListVersionsAsync(request);
                listed.AddRange((page.Versions ?? []).Select(v => Described(v.Key, v.VersionId, v.IsLatest == true, v.IsDeleteMarker == true, v.IsDeleteMarker == true ? 0 : v.Size ?? -1, v.IsDeleteMarker == true ? "" : v.ETag)));
                listed.AddRange(page.CommonPrefixes ?? []);
                if (page.IsTruncated != true) break;
                (request.KeyMarker, request.VersionIdMarker) = (page.NextKeyMarker, page.NextVersionIdMarker);
            }
            listed = Untimed(listed);
            Assert.True(expected.SequenceEqual(listed),
                $"{Buckets[1]} versions (delimiter {delimiter ?? "none"}): the server listed [{string.Join(", ", listed)}], the files hold [{string.Join(", ", expected)}]");
        }
    }

    private static string Described(string key, string versionId, bool latest, bool marker, long size, string? etag) =>
        marker ? $"{key} {versionId} latest={latest} delete-marker" : $"{key} {versionId} latest={latest} size={size} etag={etag}";

    private static List<string> Untimed(List<string> listed) => listed.Where(l => !l.StartsWith("top", StringComparison.Ordinal)).ToList();

    private static List<string> RolledUp(List<string> keys) => keys.Select(k => k.IndexOf('/') is var at and >= 0 ? k[..(at + 1)] : k).Distinct().ToList();

    /// <summary>The keys a HEAD finds, in <see cref="Keys"/>' order, with the size and ETag it tells.</summary>
    private static async Task<Dictionary<string, (long Size, string ETag)>> PresentAsync(AmazonS3Client s3, string bucket)
    {
        var present = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            try
            {
                var head = await s3.GetObjectMetadataAsync(bucket, key);
                present[key] = (head.ContentLength, head.ETag);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound) { }
        }
        return present;
    }

    /// <summary>Every key and common prefix of a listing, in the order listed, in pages of <paramref name="pageSize"/>; the objects as listed into <paramref name="objects"/>.</summary>
    private static async Task<List<string>> ListAsync(AmazonS3Client s3, string bucket, string? delimiter, int pageSize, List<S3Object>? objects = null)
    {
        var listed = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Delimiter = delimiter, MaxKeys = pageSize };
        while (true)
        {
            var page = await s3.ListObjectsV2Async(request);
            listed.AddRange((page.S3Objects ?? []).Select(o => o.Key).Concat(page.CommonPrefixes ?? []).Order(StringComparer.Ordinal));
            objects?.AddRange(page.S3Objects ?? []);
            if (page.IsTruncated != true) return listed;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private static AmazonS3Client Client(string url) => new(new BasicAWSCredentials(ProxyServer.AccessKey, ProxyServer.SecretKey), new AmazonS3Config
    {
        ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0,
    });
}
