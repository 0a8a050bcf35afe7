using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Whiteouts;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Deletes through the overlay, over real HTTP with s3rver as the remote: a deleted key stays
/// deleted whatever the remote holds, until a client writes it again. Runs once per kind of local store.
/// </summary>
public abstract class OverlayWhiteoutTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    protected abstract LocalStoreKind Kind { get; }

    /// <summary>The remote S3 server: s3rver, or RGW (a production server: none of s3rver's bugs).</summary>
    protected virtual RemoteKind RemoteServer => RemoteKind.S3rver;

    private Task<OverlayEnvironment> StartAsync(params (string Name, string Value)[] settings) =>
        OverlayEnvironment.StartAsync(servers, Kind, settings.ToDictionary(s => s.Name, s => (string?)s.Value), remoteKind: RemoteServer);

    [Fact]
    public async Task Deleted_remote_objects_stay_deleted_until_a_client_writes_them_again()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("filled.bin", 100_000, 1);
        await env.SeedRemoteAsync("cold.bin", 2000, 2);
        await env.SeedRemoteAsync("multi.bin", 3000, 3);
        await env.SeedRemoteAsync("kept.bin", 500, 4);
        await env.GetAndCheckAsync("filled.bin", 1, 100_000);
        await EventuallyAsync(() => env.IsStoredLocallyAsync("filled.bin"), "the fill is stored locally");

        await env.Client.DeleteObjectAsync(env.Bucket, "filled.bin");
        var deleted = await env.Client.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = env.Bucket,
            Objects = [new KeyVersion { Key = "cold.bin" }, new KeyVersion { Key = "multi.bin" }],
        });
        Assert.Equal(2, deleted.DeletedObjects.Count);

        env.Relay.ResetCounts();
        foreach (var key in new[] { "filled.bin", "cold.bin", "multi.bin" })
        {
            var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, key));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal("NoSuchKey", get.ErrorCode);
            var head = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => env.Client.GetObjectMetadataAsync(env.Bucket, key));
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
        // A whiteout answers without asking the remote; the remote itself still has every object.
        Assert.Equal(0, env.Relay.Requests("GET") + env.Relay.Requests("HEAD"));
        Assert.Equal(4, (await env.Remote.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects.Count);
        Assert.Equal(["kept.bin"], await KeysAsync(env));
        Assert.False(await env.IsStoredLocallyAsync("filled.bin"));

        // A PUT, a copy and a completed multipart upload each bring their key back, with the client's bytes.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "filled.bin", InputStream = PatternData.Open(700, 21), UseChunkEncoding = false });
        await env.Client.CopyObjectAsync(env.Bucket, "kept.bin", env.Bucket, "cold.bin");
        var upload = await env.Client.InitiateMultipartUploadAsync(env.Bucket, "multi.bin");
        var part = await env.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = env.Bucket, Key = "multi.bin", UploadId = upload.UploadId, PartNumber = 1,
            InputStream = PatternData.Open(900, 23), UseChunkEncoding = false,
        });
        await env.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = env.Bucket, Key = "multi.bin", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)],
        });

        await env.GetAndCheckAsync("filled.bin", 21, 700);
        await env.GetAndCheckAsync("cold.bin", 4, 500);
        await env.GetAndCheckAsync("multi.bin", 23, 900);
        Assert.Equal(["cold.bin", "filled.bin", "kept.bin", "multi.bin"], await KeysAsync(env));
        // Each write replaced its key's whiteout (the marker at the key): none is left, and a new delete hides the key again.
        Assert.Empty(await WhiteoutsAsync(env));
        await env.Client.DeleteObjectAsync(env.Bucket, "filled.bin");
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "filled.bin"))).ErrorCode);
        Assert.Equal(["filled.bin"], (await WhiteoutsAsync(env)).Select(w => w.Key));
    }

    [Fact]
    public async Task A_delete_racing_a_fill_is_never_undone_by_it()
    {
        await using var env = await StartAsync();
        const int races = 20;
        const long size = 2 * MiB;
        var keys = Enumerable.Range(0, races).Select(i => $"race/{i:D2}.bin").ToList();
        await Task.WhenAll(keys.Select((key, i) => env.SeedRemoteAsync(key, size, 100 + i)));

        // Each read starts a fill; each delete lands at a different moment of it: before the
        // remote answers, while the body streams, after the local copy is stored.
        await Task.WhenAll(keys.Select(async (key, i) =>
        {
            var read = Task.Run(async () =>
            {
                try
                {
                    await env.GetAndCheckAsync(key, 100 + i, size); // served before the delete: the old bytes, whole
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    // the delete came first
                }
            });
            await Task.Delay(i * 3);
            await env.Client.DeleteObjectAsync(env.Bucket, key);
            await read;
        }));

        await env.FillsIdleAsync();
        foreach (var key in keys)
        {
            var get = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, key));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.False(await env.IsStoredLocallyAsync(key), $"{key} was resurrected in the local store");
        }
        Assert.Empty(await KeysAsync(env));
    }

    [Fact]
    public async Task A_client_write_during_a_fill_is_never_replaced_by_it()
    {
        // The fill stores with If-None-Match: *, which s3rver 3.7.1 ignores (MinIO and S3 honour it).
        if (Kind == LocalStoreKind.S3) Assert.Skip("s3rver 3.7.1 ignores If-None-Match on PUT, so a fill can replace a client's write there");
        await using var env = await StartAsync();
        const long size = 2 * MiB;
        await env.SeedRemoteAsync("contested.bin", size, 7);
        var remoteBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.Relay.CutAfterBytes = 256 * 1024;
        env.Relay.PauseMidBody = remoteBody;

        var reader = env.GetAndCheckAsync("contested.bin", 7, size);
        await EventuallyAsync(() => Task.FromResult(env.Relay.BytesRelayed >= 256 * 1024), "the fill is under way");
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "contested.bin", ContentBody = "written by a client" });
        remoteBody.SetResult();
        await reader; // the read that started the fill still gets the remote's bytes, whole

        await env.FillsIdleAsync();
        using var after = await env.Client.GetObjectAsync(env.Bucket, "contested.bin");
        Assert.Equal("written by a client", await new StreamReader(after.ResponseStream).ReadToEndAsync());
        // One remote read of the object: the fill's. (The PUT may ask the remote whether the bucket
        // exists, HEAD and ListBuckets, when it comes before the fill's store has made the local
        // bucket, which a busy machine allows: a fresh-clone run counted that ListBuckets as a GET.)
        var reads = env.Relay.Targets.Where(t => t.StartsWith($"/{env.Bucket}/contested.bin", StringComparison.Ordinal)).ToList();
        Assert.True(reads.Count == 1, "remote requests: " + string.Join(", ", env.Relay.Targets));
    }

    [Fact]
    public async Task Whiteouts_are_listed_and_cleared_through_their_index()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("a/one", 10, 1);
        await env.SeedRemoteAsync("a/two", 10, 2);
        await env.SeedRemoteAsync("b", 10, 3);
        await env.Client.DeleteObjectAsync(env.Bucket, "a/two");
        await env.Client.DeleteObjectAsync(env.Bucket, "b");
        await env.Client.DeleteObjectAsync(env.Bucket, "a/one");

        var index = env.Part<WhiteoutIndex>();
        Assert.Equal(["a/one", "a/two", "b"], (await WhiteoutsAsync(env)).Select(w => w.Key));
        Assert.Equal(["a/one", "a/two"], (await WhiteoutsAsync(env, "a/")).Select(w => w.Key));

        await index.ClearAsync(env.Bucket, "a/two", default);
        await env.GetAndCheckAsync("a/two", 2, 10);
        Assert.Equal(["a/two"], await KeysAsync(env));
    }

    [Fact]
    public async Task A_whited_out_key_is_missing_to_every_request_about_it_and_hides_its_folder()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("gone.txt", 3000, 1);
        await env.SeedRemoteAsync("dir/a", 10, 2);
        await env.SeedRemoteAsync("dir/b", 10, 3);
        await env.SeedRemoteAsync("kept/c", 10, 4);
        await env.Client.DeleteObjectAsync(env.Bucket, "gone.txt");
        await env.Client.DeleteObjectAsync(env.Bucket, "dir/a");
        await env.Client.DeleteObjectAsync(env.Bucket, "dir/b");
        await env.Client.DeleteObjectAsync(env.Bucket, "never-was");

        // The whiteout is a small object at the key: no range, condition or subresource of it shows.
        async Task MissingAsync(Func<Task> request)
        {
            var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(request);
            Assert.Equal((HttpStatusCode.NotFound, "NoSuchKey"), (e.StatusCode, e.ErrorCode));
        }
        await MissingAsync(() => env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = "gone.txt", ByteRange = new ByteRange(1000, 1999) }));
        await MissingAsync(() => env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = "gone.txt", EtagToMatch = "\"abc\"" }));
        await MissingAsync(() => env.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = env.Bucket, Key = "gone.txt" }));
        await MissingAsync(() => env.Client.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = env.Bucket, Key = "gone.txt", Tagging = new Tagging { TagSet = [new Tag { Key = "k", Value = "v" }] } }));
        await MissingAsync(() => env.Client.CopyObjectAsync(env.Bucket, "gone.txt", env.Bucket, "copy.txt"));
        await MissingAsync(() => env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "gone.txt", ContentBody = "x", IfMatch = "\"abc\"" }));

        // A folder whose keys are all deleted is gone from listings; one key left keeps its folder.
        var listed = await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Delimiter = "/" });
        Assert.Equal(["kept/"], listed.CommonPrefixes);
        Assert.Empty(listed.S3Objects ?? []);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "dir/new", ContentBody = "x" });
        listed = await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Delimiter = "/" });
        Assert.Equal(["dir/", "kept/"], listed.CommonPrefixes);
        Assert.Equal(["dir/new", "kept/c"], await KeysAsync(env));
        Assert.Equal(["dir/a", "dir/b", "gone.txt", "never-was"], (await WhiteoutsAsync(env)).Select(w => w.Key));

        // A client cannot make an object pass for a whiteout by its metadata.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "gone.txt", ContentBody = "mine", Metadata = { ["overlay-whiteout"] = "1" } });
        using var read = await env.Client.GetObjectAsync(env.Bucket, "gone.txt");
        Assert.Equal("mine", await new StreamReader(read.ResponseStream).ReadToEndAsync());
        Assert.Empty(read.Metadata.Keys);
    }

    [Fact]
    public async Task Whiteouts_hide_as_well_in_a_bucket_that_encrypts_by_default()
    {
        await using var env = await StartAsync(("S3_OVERLAY_KMS_SECRET_KEY", S3Overlay.Tests.Storage.Encryption.EncryptionAtRestTests.MasterKey));
        await env.SeedRemoteAsync("a", 10, 1);
        await env.SeedRemoteAsync("b", 10, 2);
        await env.Client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = env.Bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        });
        await env.Client.DeleteObjectAsync(env.Bucket, "a");

        // Listings know a whiteout by its size and ETag alone, which the encryption under the overlay keeps.
        Assert.Equal(["b"], await KeysAsync(env));
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "a"))).ErrorCode);
        Assert.Equal(["a"], (await WhiteoutsAsync(env)).Select(w => w.Key));
    }

    [Fact]
    public async Task Whiteouts_an_older_layout_kept_in_the_cache_bucket_keep_hiding_after_an_upgrade()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("old/gone.bin", 10, 1);
        await env.SeedRemoteAsync("old/written.bin", 10, 2);
        await env.SeedRemoteAsync("old/shown.bin", 10, 3);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "old/written.bin", ContentBody = "mine" });
        // The older layout: an empty object whiteouts/BUCKET/KEY␠ in the cache bucket, for a key
        // deleted (and for one written again since, its whiteout hidden behind the local object).
        var cache = "cache-" + env.Bucket;
        // A fresh look each time (the proxy's own stops looking once it has moved them).
        Assert.Equal(cache, env.Part<OverlaySettings>().CacheBucket);
        LegacyWhiteouts Legacy() => new(env.LocalStore, env.Part<LocalBuckets>(), env.Part<OverlaySettings>(), env.Part<S3Overlay.Overlay.Remote.RemoteSource>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LegacyWhiteouts>.Instance);
        await env.Part<LocalBuckets>().EnsureAsync(cache, default);
        foreach (var key in new[] { "old/gone.bin", "old/written.bin" })
            await env.LocalStore.PutObjectAsync(cache, LegacyWhiteouts.MarkerOf(env.Bucket, key), Stream.Null, new S3Overlay.Storage.ObjectWrite { ContentLength = 0 }, default);
        Assert.True(await Legacy().ExistsAsync(env.Bucket, "old/gone.bin", default));

        await env.RestartAsync();
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "old/gone.bin"))).ErrorCode);
        await env.FillsIdleAsync();
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "old/gone.bin"))).ErrorCode);
        using (var read = await env.Client.GetObjectAsync(env.Bucket, "old/written.bin"))
            Assert.Equal("mine", await new StreamReader(read.ResponseStream).ReadToEndAsync());
        Assert.Equal(["old/shown.bin", "old/written.bin"], await KeysAsync(env));
        // Moved: a marker at the deleted key, nothing left in the cache bucket.
        Assert.Equal(["old/gone.bin"], (await WhiteoutsAsync(env)).Select(w => w.Key));
        var after = Legacy();
        Assert.False(await after.ExistsAsync(env.Bucket, "old/gone.bin", default));
        Assert.False(await after.ExistsAsync(env.Bucket, "old/written.bin", default));
    }

    /// <summary>
    /// A read that found nothing at the key before an old whiteout was moved there (its marker
    /// written, then the old one deleted) and looks for the old one after: it is in neither place
    /// the read looked, and the read must not ask the remote. (A full run's read right after a
    /// restart served a deleted key's remote object so, beside the start-up's move.)
    /// </summary>
    [Fact]
    public async Task A_read_that_looked_at_the_key_before_its_old_whiteout_was_moved_there_still_refuses_it()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("old/raced.bin", 10, 1);
        var cache = "cache-" + env.Bucket;
        await env.Part<LocalBuckets>().EnsureAsync(cache, default);
        await env.LocalStore.PutObjectAsync(cache, LegacyWhiteouts.MarkerOf(env.Bucket, "old/raced.bin"), Stream.Null, new S3Overlay.Storage.ObjectWrite { ContentLength = 0 }, default);
        var legacy = new LegacyWhiteouts(env.LocalStore, env.Part<LocalBuckets>(), env.Part<OverlaySettings>(), env.Part<S3Overlay.Overlay.Remote.RemoteSource>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LegacyWhiteouts>.Instance);

        var pendingWhenLooked = legacy.Pending; // the read's look at the key finds nothing here
        await legacy.MoveAsync(default);
        Assert.False(await legacy.ExistsAsync(env.Bucket, "old/raced.bin", default));
        var refused = await Assert.ThrowsAsync<S3Overlay.Storage.Errors.StorageException>(() => legacy.RefuseAsync(env.Bucket, "old/raced.bin", pendingWhenLooked, null, default));
        Assert.True(refused.IsMissing);
    }

    [Fact]
    public async Task With_merging_off_listings_show_only_local_keys()
    {
        await using var env = await StartAsync(("S3_OVERLAY_MERGE_LISTINGS", "false"));
        await env.SeedRemoteAsync("remote.bin", 10, 1);
        await env.Client.PutBucketAsync(env.Bucket);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "local.bin", ContentBody = "x" });

        Assert.Equal(["local.bin"], await KeysAsync(env));
        await env.GetAndCheckAsync("remote.bin", 1, 10);
    }

    private static async Task<List<string>> KeysAsync(OverlayEnvironment env) =>
        (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];

    private static async Task<List<Whiteout>> WhiteoutsAsync(OverlayEnvironment env, string prefix = "")
    {
        var all = new List<Whiteout>();
        await foreach (var whiteout in env.Part<WhiteoutIndex>().ListAsync(env.Bucket, prefix, default)) all.Add(whiteout);
        return all;
    }
}

[FunctionalTests]
public sealed class OverlayWhiteoutsOverEmbeddedStoreTests(OverlayServers servers) : OverlayWhiteoutTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>The same tests with a second s3rver as the local store (S3_OVERLAY_LOCAL_ENDPOINT).</summary>
[FunctionalTests]
public sealed class OverlayWhiteoutsOverS3LocalStoreTests(OverlayServers servers) : OverlayWhiteoutTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;
}

/// <summary>The same tests with Ceph's RADOS Gateway as the local store (it honours If-None-Match).</summary>
[FunctionalTests]
public sealed class OverlayWhiteoutsOverRgwLocalStoreTests(OverlayServers servers) : OverlayWhiteoutTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}

/// <summary>The same tests reading through to Ceph's RADOS Gateway as the remote.</summary>
[FunctionalTests]
public sealed class OverlayWhiteoutsOverRgwRemoteTests(OverlayServers servers) : OverlayWhiteoutTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
    protected override RemoteKind RemoteServer => RemoteKind.Rgw;
}
