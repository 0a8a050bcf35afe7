using Amazon.S3.Model;
using S3Overlay.Overlay;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Records;

namespace S3Overlay.Tests.Overlay.Requests;

/// <summary>
/// What the overlay asks of an S3 local store for each operation, counted by a relay in front of
/// it: every request costs a round trip to a real server, so each one here is a promise (the
/// table in docs/stores.md). One request more than these fails the test. Runs once per S3 server
/// as the local store (the subclasses at the end of the file).
/// </summary>
public abstract class LocalStoreRequestTests(OverlayServers servers, ITestOutputHelper output) : IClassFixture<OverlayServers>
{
    private const int MiB = 1024 * 1024;

    protected abstract LocalStoreKind Kind { get; }

    /// <param name="revalidateAfter">S3_OVERLAY_REVALIDATE_AFTER, when set.</param>
    private Task<OverlayEnvironment> StartAsync(string? revalidateAfter = null) => OverlayEnvironment.StartAsync(servers, Kind, new Dictionary<string, string?>
    {
        ["S3_OVERLAY_CHUNK_SIZE"] = MiB.ToString(),
        ["S3_OVERLAY_CHUNK_THRESHOLD"] = (2 * MiB).ToString(),
        // The eviction bookkeeping is written every interval: not in the middle of an operation counted here.
        ["S3_OVERLAY_CACHE_INDEX_FLUSH_INTERVAL"] = "3600",
        ["S3_OVERLAY_REVALIDATE_AFTER"] = revalidateAfter,
    }, countLocal: true);

    /// <summary>The local store's requests <paramref name="operation"/> made, each as "METHOD what" (object, record, chunk, bucket, index).</summary>
    private async Task<List<string>> RequestsOfAsync(OverlayEnvironment env, Func<Task> operation)
    {
        await env.FillsIdleAsync();
        env.LocalRelay!.ResetCounts();
        await operation();
        await env.FillsIdleAsync();
        var made = env.LocalRelay.Log.Select(r => $"{r.Method} {What(env, r.Target)}").ToList();
        output.WriteLine(string.Join(Environment.NewLine, env.LocalRelay.Log.Select(r => $"{r.Method} {r.Target}")));
        return made;
    }

    private static string What(OverlayEnvironment env, string target)
    {
        var path = target.Split('?')[0];
        var cache = $"/cache-{env.Bucket}/";
        if (path == $"/{env.Bucket}/" || path == cache || path.Count(c => c == '/') == 2 && path.EndsWith('/')) return "bucket";
        if (!path.StartsWith(cache, StringComparison.Ordinal)) return "object";
        var inCache = path[cache.Length..];
        return inCache.StartsWith("manifests/") ? "record" : inCache.StartsWith("chunks/") ? "chunk" : "index";
    }

    /// <summary>Writes and fills once, so the buckets exist: what follows is each operation's steady cost.</summary>
    private static async Task WarmUpAsync(OverlayEnvironment env)
    {
        await env.SeedRemoteAsync("warm-up", 10, 0);
        await env.GetAndCheckAsync("warm-up", 0, 10);
        await env.FillsIdleAsync();
    }

    /// <summary>Whether the store refuses a write made only over nothing where an object is (s3rver ignores If-None-Match): a fill then looks for a whiteout before storing.</summary>
    protected virtual bool HonoursIfNoneMatch => true;

    /// <summary>Whether the store can copy an object onto itself with new metadata (s3rver misreads the copy source).</summary>
    protected virtual bool CopiesOntoItself => true;

    private string[] FillStore => HonoursIfNoneMatch ? ["PUT object"] : ["HEAD object", "PUT object"];

    /// <summary>
    /// A miss: the key, and where chunked objects are not marked at their key (a store that
    /// ignores If-None-Match), the record in the cache bucket that would be a chunked object's manifest.
    /// </summary>
    private string[] Miss => HonoursIfNoneMatch ? ["GET object"] : ["GET object", "GET record"];

    [Fact]
    public async Task Reads_ask_once_when_local_and_a_cold_fill_asks_at_most_three_times_with_no_bucket_lookups()
    {
        await using var env = await StartAsync();
        await WarmUpAsync(env);
        await env.SeedRemoteAsync("cold.bin", MiB, 1);

        // A miss goes to the remote; after the client has its bytes, the copy is stored with its
        // fill record in its own metadata (refused by a whiteout a delete left meanwhile): no
        // record of it is written apart.
        Assert.Equal([.. Miss, .. FillStore], await RequestsOfAsync(env, () => env.GetAndCheckAsync("cold.bin", 1, MiB)));
        Assert.Equal(["GET object"], await RequestsOfAsync(env, () => env.GetAndCheckAsync("cold.bin", 1, MiB)));
        Assert.Equal(["HEAD object"], await RequestsOfAsync(env, () => env.Client.GetObjectMetadataAsync(env.Bucket, "cold.bin")));
        // A key neither store has: the same lookups, and nothing stored.
        Assert.Equal(Miss,
            await RequestsOfAsync(env, () => Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "nowhere"))));
        Assert.Equal(HonoursIfNoneMatch ? ["HEAD object"] : ["HEAD object", "GET record"],
            await RequestsOfAsync(env, () => Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => env.Client.GetObjectMetadataAsync(env.Bucket, "nowhere"))));
        // A deleted key: its whiteout is what the one look finds.
        await env.Client.DeleteObjectAsync(env.Bucket, "cold.bin");
        Assert.Equal(["GET object"], await RequestsOfAsync(env, () => Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => env.Client.GetObjectAsync(env.Bucket, "cold.bin"))));
        Assert.Equal(["HEAD object"], await RequestsOfAsync(env, () => Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() => env.Client.GetObjectMetadataAsync(env.Bucket, "cold.bin"))));
    }

    [Fact]
    public async Task With_revalidation_on_a_warm_read_asks_once_until_its_check_is_due()
    {
        await using var env = await StartAsync(revalidateAfter: "3600");
        await WarmUpAsync(env);
        await env.SeedRemoteAsync("checked.bin", MiB, 4);

        Assert.Equal([.. Miss, .. FillStore], await RequestsOfAsync(env, () => env.GetAndCheckAsync("checked.bin", 4, MiB)));
        // The copy's own metadata says when the remote last confirmed it: nothing more is read.
        Assert.Equal(["GET object"], await RequestsOfAsync(env, () => env.GetAndCheckAsync("checked.bin", 4, MiB)));
        Assert.Equal(["HEAD object"], await RequestsOfAsync(env, () => env.Client.GetObjectMetadataAsync(env.Bucket, "checked.bin")));

        // A client's own object carries no fill record: the cache bucket is asked once whether an
        // older fill recorded it there, and what it said is remembered.
        await env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "mine.txt", ContentBody = "mine" });
        Assert.Equal(["GET object", "GET record"], await RequestsOfAsync(env, () => ReadMineAsync(env)));
        Assert.Equal(["GET object"], await RequestsOfAsync(env, () => ReadMineAsync(env)));
        Assert.Equal(["HEAD object"], await RequestsOfAsync(env, () => env.Client.GetObjectMetadataAsync(env.Bucket, "mine.txt")));
    }

    [Fact]
    public async Task A_read_whose_check_is_due_keeps_the_remotes_confirmation_beside_the_copy()
    {
        await using var env = await StartAsync(revalidateAfter: "0");
        await WarmUpAsync(env);
        await env.SeedRemoteAsync("due.bin", MiB, 5);
        await env.GetAndCheckAsync("due.bin", 5, MiB);

        // Due at every read: the copy, the record of a later check (none yet), and, the remote
        // unchanged, that check written beside the copy (its metadata is not rewritten).
        Assert.Equal(["GET object", "GET record", "PUT record"], await RequestsOfAsync(env, () => env.GetAndCheckAsync("due.bin", 5, MiB)));
        // The record is there now: replaced only as it was read (a store told If-Match on an ETag it may not know is asked for its own first).
        Assert.Equal(["GET object", "GET record", "HEAD record", "PUT record"], await RequestsOfAsync(env, () => env.GetAndCheckAsync("due.bin", 5, MiB)));
        var head = await env.Client.GetObjectMetadataAsync(env.Bucket, "due.bin");
        Assert.DoesNotContain(head.Metadata.Keys, name => name.Contains(FillMetadata.Prefix, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task ReadMineAsync(OverlayEnvironment env)
    {
        using var read = await env.Client.GetObjectAsync(env.Bucket, "mine.txt");
        Assert.Equal("mine", await new StreamReader(read.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task A_write_and_a_delete_ask_once_in_a_bucket_the_remote_backs_and_in_a_local_one()
    {
        await using var env = await StartAsync();
        await WarmUpAsync(env);
        await env.SeedRemoteAsync("remote.txt", 10, 2);
        var localOnly = "l" + env.Bucket;
        await env.Client.PutBucketAsync(localOnly);

        Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "new.txt", ContentBody = "x" })));
        // The whiteout is written over the key: the delete is that one write.
        Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => env.Client.DeleteObjectAsync(env.Bucket, "remote.txt")));
        // Written again over its whiteout: one request, and the remote's object stays hidden behind the local one.
        Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "remote.txt", ContentBody = "mine" })));
        using (var read = await env.Client.GetObjectAsync(env.Bucket, "remote.txt"))
            Assert.Equal("mine", await new StreamReader(read.ResponseStream).ReadToEndAsync());

        // The SDK's defaults send a CRC32 trailer, known only once the body is read: a small body is
        // read whole before its PUT, so the checksum goes with it; a large one is sent as it comes,
        // and its checksum is kept by a copy of the object onto itself.
        using (var sdkDefaults = env.Proxy.CreateClient())
        {
            Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => sdkDefaults.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "trailer.txt", ContentBody = "x" })));
            Assert.Equal(["PUT object", "PUT object"], await RequestsOfAsync(env, () => sdkDefaults.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = "large-trailer.bin", InputStream = new MemoryStream(new byte[MiB + 1]) })));
            foreach (var key in CopiesOntoItself ? ["trailer.txt", "large-trailer.bin"] : new[] { "trailer.txt" })
                Assert.NotNull((await sdkDefaults.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = env.Bucket, Key = key, ChecksumMode = Amazon.S3.ChecksumMode.ENABLED })).ChecksumCRC32);
        }
        // boto3's default: the CRC32 in a header, known before the body and checked as it passes,
        // so it goes with the PUT whatever the body's size.
        foreach (var (key, body, crc32) in new[] { ("header.txt", new byte[] { (byte)'x' }, "jNwWgw=="), ("large-header.bin", new byte[MiB + 1], "xqSLKA==") })
        {
            Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => env.Client.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = key, InputStream = new MemoryStream(body), ChecksumCRC32 = crc32 })));
            Assert.Equal(crc32, (await env.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = env.Bucket, Key = key, ChecksumMode = Amazon.S3.ChecksumMode.ENABLED })).ChecksumCRC32);
        }

        Assert.Equal(["PUT object"], await RequestsOfAsync(env, () => env.Client.PutObjectAsync(new PutObjectRequest { BucketName = localOnly, Key = "a.txt", ContentBody = "x" })));
        Assert.Equal(["DELETE object"], await RequestsOfAsync(env, () => env.Client.DeleteObjectAsync(localOnly, "a.txt")));
    }

    [Fact]
    public async Task A_chunk_fill_stores_its_chunk_in_one_request_and_a_cached_chunk_is_read_in_one()
    {
        await using var env = await StartAsync();
        await WarmUpAsync(env);
        await env.SeedRemoteAsync("big.bin", 5 * MiB, 3);
        // The object is recorded as chunked and marked at its key (both at once, before the first
        // byte), and chunk 0 looked for and filled.
        var first = await RequestsOfAsync(env, () => env.GetAndCheckAsync("big.bin", 3, 5 * MiB, 0, 99));
        Assert.Equal(HonoursIfNoneMatch ? ["GET chunk", "GET object", "PUT chunk", "PUT object", "PUT record"] : ["GET chunk", "GET object", "GET record", "PUT chunk", "PUT record"],
            first.Order(StringComparer.Ordinal));

        // A range in a chunk not cached: the object's lookups (its marker, its record), the chunk's (a miss), and its fill's one write.
        Assert.Equal(["GET object", "GET record", "GET chunk", "PUT chunk"],
            await RequestsOfAsync(env, () => env.GetAndCheckAsync("big.bin", 3, 5 * MiB, 3L * MiB, 3L * MiB + 9)));
        // The same range again: the chunk is read once, not looked for first.
        Assert.Equal(["GET object", "GET record", "GET chunk"],
            await RequestsOfAsync(env, () => env.GetAndCheckAsync("big.bin", 3, 5 * MiB, 3L * MiB, 3L * MiB + 9)));
    }
}

[FunctionalTests]
public sealed class LocalStoreRequestsOverS3rverTests(OverlayServers servers, ITestOutputHelper output) : LocalStoreRequestTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.S3;
    protected override bool HonoursIfNoneMatch => false;
    protected override bool CopiesOntoItself => false;
}

[FunctionalTests]
public sealed class LocalStoreRequestsOverRgwTests(OverlayServers servers, ITestOutputHelper output) : LocalStoreRequestTests(servers, output)
{
    protected override LocalStoreKind Kind => LocalStoreKind.Rgw;
}
