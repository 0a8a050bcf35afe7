using Microsoft.Extensions.Configuration;
using S3Overlay.Configuration;
using S3Overlay.Overlay;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.FileSystem;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// Edge cases of the overlay store's decisions, against in-memory stores (fast, deterministic).
/// The functional tests prove the user-visible behaviour over HTTP with real stores.
/// </summary>
[UnitTests]
public class OverlayStoreEdgeTests
{
    private const long ChunkSize = 64 * 1024;
    private readonly InMemoryObjectStore _local = new();
    private readonly InMemoryObjectStore _remote = new();
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));

    // Kept for the test's life: an overlay no longer referenced lets go of its spill folder's lock
    // when collected, and the next overlay's sweep then removes the folder a fill still writes in.
    private readonly List<HostlessOverlay> _overlays = [];

    private OverlayObjectStore Overlay(bool cache = true, TimeSpan? revalidate = null)
    {
        var overlay = Hostless(cache, revalidate);
        _overlays.Add(overlay);
        return overlay.Store;
    }

    private HostlessOverlay Hostless(bool cache = true, TimeSpan? revalidate = null, IObjectStore? local = null) => HostlessOverlay.Create(local ?? _local, staging: null, _remote,
        new OverlaySettings(BucketMapping.Parse("data:origin"), cache, ChunkThreshold: 4 * ChunkSize, ChunkSize, "s3-overlay-cache",
            TimeSpan.FromSeconds(30), revalidate, Path.Combine(Path.GetTempPath(), "s3overlay-test-spill")),
        _clock);

    private static byte[] Bytes(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    private static async Task<byte[]> ReadAll(ObjectContent content)
    {
        await using (content)
        {
            var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task A_fill_keeps_the_remote_metadata_and_the_second_read_is_local()
    {
        var body = Bytes(100_000, 1);
        var meta = new ObjectMetadata { ContentType = "text/x-test", UserMetadata = new Dictionary<string, string> { ["colour"] = "blue" } };
        _remote.Put("origin", "k", body, meta, DateTimeOffset.Parse("2020-01-02T03:04:05Z"));
        var overlay = Overlay();

        var first = await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default);
        Assert.Equal(body, await ReadAll(first));
        await EventuallyAsync(() => _local.Contains("data", "k"), "the fill is stored locally");

        var second = await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default);
        Assert.Equal(body, await ReadAll(second));
        Assert.Equal(1, _remote.Gets);
        Assert.Equal(first.Info.ETag, second.Info.ETag);
        Assert.Equal(DateTimeOffset.Parse("2020-01-02T03:04:05Z"), second.Info.LastModified);
        Assert.Equal("blue", second.Info.Metadata.UserMetadata["colour"]);
        Assert.Equal("text/x-test", second.Info.Metadata.ContentType);
        // The copy carries its fill record; clients see the remote's metadata exactly, on a GET and a HEAD.
        Assert.NotNull(FillMetadata.RecordOf(await _local.HeadObjectAsync("data", "k", ReadConditions.None, default)));
        Assert.Equal(["colour"], second.Info.Metadata.UserMetadata.Keys);
        Assert.Equal(["colour"], (await overlay.HeadObjectAsync("data", "k", ReadConditions.None, default)).Metadata.UserMetadata.Keys);
        Assert.Equal(["colour"], (await Overlay(revalidate: TimeSpan.FromMinutes(1)).HeadObjectAsync("data", "k", ReadConditions.None, default)).Metadata.UserMetadata.Keys);
        await using var revalidated = await Overlay(revalidate: TimeSpan.FromMinutes(1)).GetObjectAsync("data", "k", ObjectReadRequest.Whole, default);
        Assert.Equal(["colour"], revalidated.Info.Metadata.UserMetadata.Keys);
    }

    [Fact]
    public async Task A_client_cannot_write_a_fill_record_into_its_object()
    {
        var overlay = Overlay();
        await overlay.CreateBucketAsync("data", default);
        var write = new ObjectWrite
        {
            ContentLength = 3,
            Metadata = new ObjectMetadata { UserMetadata = new Dictionary<string, string> { [FillMetadata.RemoteBucketName] = "origin", [FillMetadata.ValidatedAtName] = "2026-01-01T00:00:00.0000000+00:00", ["mine"] = "1" } },
        };
        await overlay.PutObjectAsync("data", "k", new MemoryStream("abc"u8.ToArray()), write, default);
        var stored = await _local.HeadObjectAsync("data", "k", ReadConditions.None, default);
        Assert.Null(FillMetadata.RecordOf(stored));
        Assert.Equal(["mine"], stored.Metadata.UserMetadata.Keys);
    }

    [Fact]
    public async Task Fills_ask_the_local_store_whether_their_buckets_exist_once_not_per_fill()
    {
        for (var i = 0; i < 5; i++) _remote.Put("origin", $"k{i}", Bytes(1000, i));
        var overlay = Overlay();
        for (var i = 0; i < 5; i++)
        {
            await ReadAll(await overlay.GetObjectAsync("data", $"k{i}", ObjectReadRequest.Whole, default));
            var stored = $"k{i}";
            await EventuallyAsync(() => _local.Contains("data", stored), $"fill {i + 1} stored");
        }
        // The object's bucket and the cache bucket (where the store's If-None-Match is probed once),
        // each once, and the bucket's versioning once (a bucket that keeps versions is read through,
        // not filled): this store keeps none, and answers that by looking the bucket up. The fills'
        // records ride in their copies: none is written in the cache bucket.
        Assert.Equal(3, _local.BucketLookups);
        Assert.DoesNotContain(_local.Keys("s3-overlay-cache"), k => k.StartsWith(CacheKeys.ManifestPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fill_into_a_bucket_deleted_since_the_last_fill_creates_it_again()
    {
        _remote.Put("origin", "a", Bytes(1000, 1));
        _remote.Put("origin", "b", Bytes(1000, 2));
        var overlay = Overlay();
        await ReadAll(await overlay.GetObjectAsync("data", "a", ObjectReadRequest.Whole, default));
        await EventuallyAsync(() => _local.Contains("data", "a"), "a stored");
        await overlay.DeleteObjectAsync("data", "a", default);
        await overlay.DeleteBucketAsync("data", default);

        await ReadAll(await overlay.GetObjectAsync("data", "b", ObjectReadRequest.Whole, default));
        await EventuallyAsync(() => _local.Contains("data", "b"), "b stored in the bucket made again");
    }

    [Fact]
    public async Task Concurrent_misses_make_one_remote_request()
    {
        var body = Bytes(200_000, 2);
        _remote.Put("origin", "k", body);
        _remote.GetDelay = TimeSpan.FromMilliseconds(200);
        var overlay = Overlay();
        var reads = Enumerable.Range(0, 16).Select(async _ => await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));
        foreach (var got in await Task.WhenAll(reads)) Assert.Equal(body, got);
        Assert.Equal(1, _remote.Gets);
    }

    /// <summary>
    /// A read found the chunk missing while another read's fill of it was in flight, and that fill
    /// stored it and ended before the look was answered: the read started the fill again, and
    /// the chunk was stored and counted twice (a fresh-clone crash run over s3rver: the index
    /// counted 7 chunks of a 6-chunk object). A fill in flight is looked for first, as every other
    /// reader of chunks does.
    /// </summary>
    [Fact]
    public async Task A_chunk_whose_fill_ends_while_a_read_looks_for_it_is_neither_fetched_nor_counted_twice()
    {
        var body = Bytes((int)(6 * ChunkSize + 123), 9);
        _remote.Put("origin", "big", body);
        var etag = (await _remote.HeadObjectAsync("origin", "big", ReadConditions.None, default)).ETag;
        var chunkKey = S3Overlay.Overlay.Records.CacheKeys.Chunk("origin", "big", etag, ChunkSize, 6);
        var parts = Hostless();
        var overlay = parts.Store;
        var lastChunk = new ObjectReadRequest(new ByteRange(6 * ChunkSize, 6 * ChunkSize + 99), ReadConditions.None);
        var expected = body[(int)(6 * ChunkSize)..(int)(6 * ChunkSize + 100)];
        var looks = 0;
        _local.HeadAnswering = async key =>
        {
            // Any look after the first is answered only once the first read's fill has stored the chunk and ended.
            if (key == chunkKey && Interlocked.Increment(ref looks) > 1)
                await parts.Part<BackgroundWork>().WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));
        };
        _remote.GetDelay = TimeSpan.FromMilliseconds(300); // the first read's fill stays in flight a while

        var first = overlay.GetObjectAsync("data", "big", lastChunk, default);
        await EventuallyAsync(() => parts.Part<ChunkedReads>().InFlight == 1, "the first read's fill of the chunk is in flight");
        var second = overlay.GetObjectAsync("data", "big", lastChunk, default);
        Assert.Equal(expected, await ReadAll(await first));
        Assert.Equal(expected, await ReadAll(await second));
        await parts.Part<BackgroundWork>().WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(123, _remote.BytesServed);
        var counted = parts.Part<CacheIndex>().Find(new S3Overlay.Overlay.Eviction.CacheEntryId(S3Overlay.Overlay.Eviction.CacheEntryKind.Chunks, "origin", "big"));
        Assert.Equal((1, 123L), (counted!.Chunks, counted.Size));
    }

    [Fact]
    public async Task A_range_of_a_chunked_object_fetches_only_its_chunk_and_is_then_served_locally()
    {
        var body = Bytes((int)(10 * ChunkSize + 123), 3);
        _remote.Put("origin", "big", body);
        var overlay = Overlay();
        var range = new ObjectReadRequest(new ByteRange(3 * ChunkSize + 10, 3 * ChunkSize + 1000), ReadConditions.None);

        var got = await overlay.GetObjectAsync("data", "big", range, default);
        Assert.Equal(body[(int)(3 * ChunkSize + 10)..(int)(3 * ChunkSize + 1001)], await ReadAll(got));
        Assert.Equal(ChunkSize, _remote.BytesServed);
        await EventuallyAsync(() => _local.Keys("s3-overlay-cache").Any(k => k.StartsWith("manifests/")), "a manifest is stored");

        var again = await overlay.GetObjectAsync("data", "big", range, default);
        Assert.Equal(body[(int)(3 * ChunkSize + 10)..(int)(3 * ChunkSize + 1001)], await ReadAll(again));
        Assert.Equal(ChunkSize, _remote.BytesServed);

        var whole = await overlay.GetObjectAsync("data", "big", ObjectReadRequest.Whole, default);
        Assert.Null(whole.Range);
        Assert.Equal(body, await ReadAll(whole));
    }

    [Fact]
    public async Task A_replaced_remote_object_never_mixes_with_cached_chunks()
    {
        var old = Bytes((int)(6 * ChunkSize), 4);
        _remote.Put("origin", "big", old);
        var overlay = Overlay();
        await ReadAll(await overlay.GetObjectAsync("data", "big", new ObjectReadRequest(new ByteRange(0, 10), ReadConditions.None), default));
        await EventuallyAsync(() => _local.Keys("s3-overlay-cache").Any(k => k.StartsWith("manifests/")), "a manifest is stored");

        var replaced = Bytes((int)(6 * ChunkSize), 5);
        _remote.Put("origin", "big", replaced);
        Assert.Equal(replaced, await ReadAll(await overlay.GetObjectAsync("data", "big", ObjectReadRequest.Whole, default)));
    }

    [Fact]
    public async Task Remote_failures_are_gateway_errors_and_only_not_found_is_404()
    {
        var overlay = Overlay();
        var missing = await Assert.ThrowsAsync<StorageException>(() => overlay.GetObjectAsync("data", "nope", ObjectReadRequest.Whole, default));
        Assert.Equal(404, missing.Error.Status);

        _remote.Put("origin", "k", Bytes(10, 6));
        _remote.Failure = new StorageException(StorageFault.Internal);
        var broken = await Assert.ThrowsAsync<StorageException>(() => overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        Assert.Equal(502, broken.Error.Status);
        _remote.Failure = new HttpRequestException("connection refused");
        var down = await Assert.ThrowsAsync<StorageException>(() => overlay.HeadObjectAsync("data", "k", ReadConditions.None, default));
        Assert.Equal(503, down.Error.Status);
    }

    [Fact]
    public async Task Caching_off_stores_nothing_and_a_head_never_stores()
    {
        var body = Bytes(5000, 7);
        _remote.Put("origin", "k", body);
        var uncached = Hostless(cache: false);
        Assert.Equal(body, await ReadAll(await uncached.Store.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));
        var cached = Hostless();
        Assert.Equal(body.Length, (await cached.Store.HeadObjectAsync("data", "k", ReadConditions.None, default)).Size);
        // Whatever either started past its request (a fill would be) has finished: no sleep needed.
        await Task.WhenAll(uncached.Part<BackgroundWork>().WhenIdle(), cached.Part<BackgroundWork>().WhenIdle());
        Assert.Empty(await _local.ListBucketsAsync(default));
    }

    [Fact]
    public async Task With_a_ttl_an_expired_copy_is_revalidated_and_refilled_when_the_remote_changed()
    {
        _remote.Put("origin", "k", Bytes(1000, 8));
        var overlay = Overlay(revalidate: TimeSpan.FromMinutes(1));
        await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        await EventuallyAsync(() => _local.Contains("data", "k"), "the copy is stored with its record");

        // Not due: neither the remote nor the cache bucket is asked.
        _clock.Advance(TimeSpan.FromSeconds(30));
        var (heads, gets) = (_remote.Heads, _local.Gets);
        await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        Assert.Equal((heads, gets + 1), (_remote.Heads, _local.Gets));

        _clock.Advance(TimeSpan.FromMinutes(2));
        await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        Assert.Equal(1, _remote.Gets); // unchanged: a HEAD, no body
        Assert.Equal(heads + 1, _remote.Heads);
        // The check is kept (in the cache bucket, beside the copy's own): 30 s later it is not due again.
        _clock.Advance(TimeSpan.FromSeconds(30));
        await ReadAll(await Overlay(revalidate: TimeSpan.FromMinutes(1)).GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        Assert.Equal(heads + 1, _remote.Heads);

        var changed = Bytes(1000, 9);
        _remote.Put("origin", "k", changed);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(changed, await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));

        Assert.Equal(2, _remote.Gets);
        await EventuallyAsync(async () => (await _local.HeadObjectAsync("data", "k", ReadConditions.None, default)).ETag == (await _remote.HeadObjectAsync("origin", "k", ReadConditions.None, default)).ETag, "the changed object replaces the cached copy");

        // Due again, with the remote down: the cached copy is served.
        _remote.Failure = new HttpRequestException("down");
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(changed, await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));
    }

    [Fact]
    public async Task A_copy_filled_before_records_rode_in_the_copy_is_known_by_its_record_in_the_cache_bucket()
    {
        // As an older fill left it: the copy with no record of its own, its record in the cache bucket.
        var old = Bytes(1000, 20);
        _remote.Put("origin", "k", old);
        var described = await _remote.HeadObjectAsync("origin", "k", ReadConditions.None, default);
        await _local.CreateBucketAsync("data", default);
        await _local.CreateBucketAsync("s3-overlay-cache", default);
        await _local.PutObjectAsync("data", "k", new MemoryStream(old),
            new ObjectWrite { ContentLength = old.Length, ETag = described.ETag, LastModified = described.LastModified, Metadata = described.Metadata }, default);
        await FillRecord.Of("origin", described, chunkSize: 0, _clock.GetUtcNow()).WriteAsync(_local, "s3-overlay-cache", replacing: null, default);
        var overlay = Overlay(revalidate: TimeSpan.FromMinutes(1));
        Assert.Equal(old, await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));

        // Replaced remotely: once due, the record tells the copy came from the remote, and the new object is served.
        var changed = Bytes(1000, 21);
        _remote.Put("origin", "k", changed);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(changed, await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default)));
        Assert.Equal(1, _remote.Gets);
    }

    [Fact]
    public async Task A_clients_write_of_the_bytes_a_fill_stored_is_the_clients_and_never_evicted()
    {
        var body = Bytes(1000, 22);
        _remote.Put("origin", "k", body);
        var parts = Hostless();
        await parts.Part<CacheIndex>().LoadAsync(default);
        var overlay = parts.Store;
        await ReadAll(await overlay.GetObjectAsync("data", "k", ObjectReadRequest.Whole, default));
        await parts.Part<BackgroundWork>().WhenIdle();
        Assert.Equal(1, (await parts.Part<CacheEvictor>().CachedUnderAsync("data", "", default)).Objects);

        // The same bytes, so the same ETag: only the fill's record, gone with the client's write, tells them apart.
        await overlay.PutObjectAsync("data", "k", new MemoryStream(body), new ObjectWrite { ContentLength = body.Length }, default);
        Assert.Equal(0, (await parts.Part<CacheEvictor>().EvictKeyAsync("data", "k", default)).Objects);
        Assert.True(_local.Contains("data", "k"));
    }

    [Fact]
    public async Task A_restart_finds_the_copies_filled_whole_by_their_metadata_and_never_a_clients_object()
    {
        _remote.Put("origin", "filled", Bytes(1000, 23));
        var first = Hostless();
        await first.Part<CacheIndex>().LoadAsync(default);
        var overlay = first.Store;
        await ReadAll(await overlay.GetObjectAsync("data", "filled", ObjectReadRequest.Whole, default));
        await overlay.PutObjectAsync("data", "mine", new MemoryStream(Bytes(10, 1)), new ObjectWrite { ContentLength = 10 }, default);
        await first.Part<BackgroundWork>().WhenIdle();

        // Another process over the same store, the first one's index never flushed: only the reconcile tells it of the fill.
        var second = Hostless();
        await second.Part<CacheIndex>().LoadAsync(default);
        Assert.Equal(0, (await second.Part<CacheEvictor>().CachedUnderAsync("data", "", default)).Objects);
        Assert.True(await second.Part<CacheReconciler>().RunAsync(default));
        var cached = await second.Part<CacheEvictor>().CachedUnderAsync("data", "", default);
        Assert.Equal((1, 1000L), (cached.Objects, cached.Bytes));
    }

    /// <summary>
    /// The embedded store lists each object with its whole metadata, so the reconcile reads the
    /// fill records there and asks no HEAD: over a million objects a client wrote, a HEAD each
    /// at every start was most of a restarted overlay's CPU for minutes.
    /// </summary>
    [Fact]
    public async Task A_restart_over_the_embedded_store_finds_the_fills_in_its_listing_without_a_HEAD()
    {
        var root = Directory.CreateTempSubdirectory("s3overlay-reconcile-").FullName;
        try
        {
            _remote.Put("origin", "filled", Bytes(1000, 23));
            // Each overlay stopped before the folder goes (the first one's container disposes the store).
            var store = new FileSystemObjectStore(Path.Combine(root, "data"), TimeProvider.System);
            using var first = Hostless(local: store);
            await first.Part<CacheIndex>().LoadAsync(default);
            await ReadAll(await first.Store.GetObjectAsync("data", "filled", ObjectReadRequest.Whole, default));
            for (var i = 0; i < 20; i++)
                await first.Store.PutObjectAsync("data", $"mine/{i}", new MemoryStream(Bytes(10, i)), new ObjectWrite { ContentLength = 10 }, default);
            await first.Part<BackgroundWork>().WhenIdle();

            var counted = new HeadCountingStore(store);
            using var second = Hostless(local: counted);
            await second.Part<CacheIndex>().LoadAsync(default);
            Assert.True(await second.Part<CacheReconciler>().RunAsync(default));
            var cached = await second.Part<CacheEvictor>().CachedUnderAsync("data", "", default);
            Assert.Equal((1, 1000L), (cached.Objects, cached.Bytes));
            Assert.Equal(0, counted.Heads);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed class HeadCountingStore(IObjectStore inner) : ForwardingStore(inner)
    {
        public int Heads;

        public override Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ReadConditions conditions, CancellationToken ct)
        {
            Interlocked.Increment(ref Heads);
            return base.HeadObjectAsync(bucket, key, conditions, ct);
        }
    }

    [Fact]
    public async Task The_cache_bucket_is_hidden_and_refused()
    {
        _remote.Put("origin", "big", Bytes((int)(5 * ChunkSize), 10));
        var overlay = Overlay();
        await ReadAll(await overlay.GetObjectAsync("data", "big", new ObjectReadRequest(new ByteRange(0, 0), ReadConditions.None), default));
        // The record itself: the cache bucket also holds, for a moment, the probe of whether the store honours If-None-Match.
        await EventuallyAsync(() => _local.Keys("s3-overlay-cache").Any(k => k.StartsWith(CacheKeys.ManifestPrefix, StringComparison.Ordinal)), "the cache bucket holds the fill's record");
        Assert.DoesNotContain(await overlay.ListBucketsAsync(default), b => b.Name == "s3-overlay-cache");
        Assert.Null(await overlay.GetBucketAsync("s3-overlay-cache", default));
        var denied = await Assert.ThrowsAsync<StorageException>(() => overlay.GetObjectAsync("s3-overlay-cache", "x", ObjectReadRequest.Whole, default));
        Assert.Equal(403, denied.Error.Status);
    }

    [Theory]
    [InlineData("S3_OVERLAY_BUCKET_MAPPING", "a:b:c")]
    [InlineData("S3_OVERLAY_BUCKET_MAPPING", "local-only")]
    [InlineData("S3_OVERLAY_CHUNK_THRESHOLD", "1000000")]
    [InlineData("S3_OVERLAY_CACHE_ENABLED", "maybe")]
    public void Bad_settings_stop_start_up_naming_the_setting(string name, string value)
    {
        var read = new SettingReader(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [name] = value }).Build());
        var e = Assert.Throws<SettingException>(() => OverlaySettings.From(read));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Mapping_maps_listed_buckets_and_keeps_the_others()
    {
        var mapping = BucketMapping.Parse("local1:remote1, local2:remote2");
        Assert.Equal("remote1", mapping.RemoteBucketOf("local1"));
        Assert.Equal("remote2", mapping.RemoteBucketOf("local2"));
        Assert.Equal("other", mapping.RemoteBucketOf("other"));
    }
}
