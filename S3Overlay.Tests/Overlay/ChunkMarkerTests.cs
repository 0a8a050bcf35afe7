using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Tests.Infrastructure;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// The marker a chunked object leaves at its key (<see cref="ChunkMarkers"/>), so a key that
/// holds nothing needs no look at the cache bucket: to clients the key is the remote's object,
/// whatever asks about it (reads, ranges, conditions, listings, writes, deletes). Runs once per
/// kind of local store; on s3rver, which ignores If-None-Match, no marker is kept and the object
/// behaves the same.
/// </summary>
public abstract class ChunkMarkerTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int Size = (int)(5 * MiB);

    protected abstract LocalStoreKind Kind { get; }

    /// <summary>Whether the local store refuses a write over an object, so markers are kept.</summary>
    protected virtual bool KeepsMarkers => true;

    private Task<OverlayEnvironment> StartAsync(string? revalidateAfter = null, bool mergeListings = true) => OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
    {
        ["S3_OVERLAY_CHUNK_SIZE"] = MiB.ToString(),
        ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * MiB).ToString(),
        ["S3_OVERLAY_REVALIDATE_AFTER"] = revalidateAfter,
        ["S3_OVERLAY_MERGE_LISTINGS"] = mergeListings ? null : "false",
    });

    /// <summary>A chunked object read once (a range of its first chunk), so it is recorded, cached in part and, where kept, marked.</summary>
    private static async Task<PutObjectResponse> ChunkedAsync(OverlayEnvironment env, string key, int seed)
    {
        // A small object filled whole beside it.
        await env.SeedRemoteAsync("small.txt", 10, 9);
        await env.GetAndCheckAsync("small.txt", 9, 10);
        await env.FillsIdleAsync();
        var seeded = await env.SeedRemoteAsync(key, Size, seed);
        await env.GetAndCheckAsync(key, seed, Size, 0, 99);
        await env.FillsIdleAsync();
        return seeded;
    }

    private static async Task<bool> MarkedAsync(OverlayEnvironment env, string key) =>
        await env.LocalStore.FindObjectAsync(env.Bucket, key, default) is { } held && ChunkMarkers.IsMarker(held);

    [Fact]
    public async Task A_chunked_object_is_the_remotes_to_every_read_and_listing()
    {
        await using var env = await StartAsync();
        var seeded = await ChunkedAsync(env, "big.bin", 1);
        Assert.Equal(KeepsMarkers, await MarkedAsync(env, "big.bin"));
        Assert.False(await env.IsStoredLocallyAsync("big.bin"));

        await env.GetAndCheckAsync("big.bin", 1, Size);
        // A range past the marker's few bytes, and conditions on the remote's ETag: the marker's own answers (416, 412) are never the client's.
        await env.GetAndCheckAsync("big.bin", 1, Size, 3 * MiB, 3 * MiB + 99);
        await env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = "big.bin", EtagToMatch = seeded.ETag }).ContinueWith(t => t.Result.Dispose());
        var notModified = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() =>
            env.Client.GetObjectAsync(new GetObjectRequest { BucketName = env.Bucket, Key = "big.bin", EtagToNotMatch = seeded.ETag }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        var head = await env.Client.GetObjectMetadataAsync(env.Bucket, "big.bin");
        Assert.Equal((Size, seeded.ETag), (head.ContentLength, head.ETag));

        // Listed once, as the remote's object.
        var listed = Assert.Single((await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket, Prefix = "big" })).S3Objects);
        Assert.Equal(("big.bin", (long)Size, seeded.ETag), (listed.Key, listed.Size!.Value, listed.ETag));

        // Its tags are the remote's: the marker has none of its own to show.
        await env.Remote.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = env.Bucket, Key = "big.bin", Tagging = new Tagging { TagSet = [new Tag { Key = "from", Value = "remote" }] },
        });
        var tags = await env.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = env.Bucket, Key = "big.bin" });
        Assert.Equal("remote", Assert.Single(tags.Tagging).Value);
    }

    [Fact]
    public async Task The_local_stores_own_listing_shows_no_marker()
    {
        await using var env = await StartAsync(mergeListings: false);
        await ChunkedAsync(env, "big.bin", 10);
        var keys = (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects?.Select(o => o.Key) ?? [];
        Assert.Equal(["small.txt"], keys);
    }

    [Fact]
    public async Task Conditional_writes_and_deletes_of_a_chunked_key_are_decided_by_the_remotes_object()
    {
        await using var env = await StartAsync();
        var seeded = await ChunkedAsync(env, "big.bin", 2);

        var absent = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = env.Bucket, Key = "big.bin", ContentBody = "mine", IfNoneMatch = "*",
        }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, absent.StatusCode);
        var wrong = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = env.Bucket, Key = "big.bin", ContentBody = "mine", IfMatch = "\"0123456789abcdef0123456789abcdef\"",
        }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, wrong.StatusCode);
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "big.bin", ContentBody = "mine", IfMatch = seeded.ETag });
        using (var read = await env.Client.GetObjectAsync(env.Bucket, "big.bin"))
            Assert.Equal("mine", await new StreamReader(read.ResponseStream).ReadToEndAsync());

        // Another chunked key, deleted: gone, and not listed; the bucket then holds nothing a client sees but its own object.
        await env.SeedRemoteAsync("other.bin", Size, 3);
        await env.GetAndCheckAsync("other.bin", 3, Size, 0, 9);
        await env.FillsIdleAsync();
        await env.Client.DeleteObjectAsync(env.Bucket, "other.bin");
        var gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "other.bin"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var keys = (await env.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal(["big.bin", "small.txt"], keys);
    }

    [Fact]
    public async Task A_key_written_over_nothing_where_a_marker_outlived_its_record_is_created()
    {
        await using var env = await StartAsync();
        await ChunkedAsync(env, "big.bin", 4);
        // The record gone (as eviction removes it) and the remote's object too: the marker is all that is left.
        await env.Part<S3Overlay.Overlay.Records.FillRecords>().DeleteAsync(env.Bucket, "big.bin", default);
        await env.Remote.DeleteObjectAsync(env.Bucket, "big.bin");

        // No object anywhere: If-None-Match: * creates it, over the marker.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "big.bin", ContentBody = "new", IfNoneMatch = "*" });
        using var read = await env.Client.GetObjectAsync(env.Bucket, "big.bin");
        Assert.Equal("new", await new StreamReader(read.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task A_chunked_object_the_remote_replaced_with_a_small_one_is_filled_whole_over_its_marker()
    {
        await using var env = await StartAsync(revalidateAfter: "0");
        await ChunkedAsync(env, "big.bin", 5);
        await env.SeedRemoteAsync("big.bin", 100_000, 6);

        await env.GetAndCheckAsync("big.bin", 6, 100_000);
        await env.FillsIdleAsync();
        Assert.True(await env.IsStoredLocallyAsync("big.bin"));
        await env.GetAndCheckAsync("big.bin", 6, 100_000);
    }

    [Fact]
    public async Task A_chunked_object_cached_before_markers_were_kept_is_read_from_its_chunks_and_marked()
    {
        await using var env = await StartAsync();
        await ChunkedAsync(env, "big.bin", 7);
        await env.LocalStore.DeleteObjectAsync(env.Bucket, "big.bin", default);

        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("big.bin", 7, Size, 10, 99);
        await env.FillsIdleAsync();
        // The miss asks the remote what the object is (the range needs its size); chunk 0 comes from the cache.
        Assert.Equal(0, env.Relay.Requests("GET"));
        Assert.Equal(KeepsMarkers, await MarkedAsync(env, "big.bin"));
    }

    /// <summary>
    /// A process whose first fill is a chunked one has not yet asked the store whether it
    /// honours If-None-Match (a whole fill asks): its marker is written all the same. Unmarked, the
    /// object's first whole read after a whole fill had taught the process that markers are kept
    /// found nothing at the key and asked the remote for the whole object again (seen in a fleet
    /// over RGW: chunk 0's GET, then a whole GET).
    /// </summary>
    [Fact]
    public async Task A_chunked_object_that_is_a_process_first_fill_is_marked_and_later_read_chunk_by_chunk()
    {
        await using var env = await StartAsync();
        await env.SeedRemoteAsync("big.bin", Size, 11);
        await env.GetAndCheckAsync("big.bin", 11, Size, 0, 99);
        await env.FillsIdleAsync();
        Assert.Equal(KeepsMarkers, await MarkedAsync(env, "big.bin"));
        await env.SeedRemoteAsync("small.txt", 10, 9);
        await env.GetAndCheckAsync("small.txt", 9, 10);
        await env.FillsIdleAsync();

        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("big.bin", 11, Size);
        Assert.All(env.Relay.Log, asked => Assert.NotNull(asked.Range));
        Assert.Equal(Size / MiB - 1, env.Relay.Requests("GET")); // chunk 0 is cached
    }

    [Fact]
    public async Task A_bucket_that_holds_only_markers_can_be_deleted()
    {
        await using var env = await StartAsync();
        await ChunkedAsync(env, "big.bin", 8);
        await env.Client.DeleteObjectAsync(env.Bucket, "small.txt");

        await env.Client.DeleteBucketAsync(env.Bucket);
        Assert.Null(await env.LocalStore.GetBucketAsync(env.Bucket, default));
    }
}

[FunctionalTests]
public sealed class ChunkMarkersOverEmbeddedStoreTests(OverlayServers servers) : ChunkMarkerTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Embedded;
}

/// <summary>s3rver ignores If-None-Match: no marker is kept, and every miss reads the cache bucket's record.</summary>
[FunctionalTests]
public sealed class ChunkMarkersOverS3rverLocalStoreTests(OverlayServers servers) : ChunkMarkerTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;
    protected override bool KeepsMarkers => false;
}

[FunctionalTests]
public sealed class ChunkMarkersOverRgwLocalStoreTests(OverlayServers servers) : ChunkMarkerTests(servers)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}
