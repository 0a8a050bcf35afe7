using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>
/// The embedded store on a disk that fills up: writes that find no room are
/// answered as MinIO answers them (507 XMinioStorageFull), leave nothing behind, harm nothing
/// stored; reads go on; once space returns writes work again, with no restart; the health
/// endpoint says the disk is full while it is.
/// </summary>
[ReliabilityTests]
public sealed class FullDiskStoreTests
{
    private const long MiB = 1024 * 1024;
    private const string Bucket = "full";

    [Fact]
    public async Task Puts_and_copies_that_find_no_room_are_507_and_what_was_stored_is_still_served()
    {
        await using var world = await World.StartAsync();
        var (disk, data, s3) = (world.Disk, world.Data, world.S3);
        await PutAsync(s3, "kept.bin", 300_000, seed: 1);
        // A file put there by hand: its description is worked out on its first read, and cannot be kept now.
        await using (var file = File.Create(Path.Join(data, Bucket, "by-hand.bin")))
            await PatternData.Open(100_000, 2).CopyToAsync(file);
        disk.FillUp();

        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => PutAsync(s3, "kept.bin", 300_000, seed: 3)));
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => PutAsync(s3, "new.bin", 300_000, seed: 4)));
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(Bucket, "kept.bin", Bucket, "copy.bin")));
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = Bucket, Key = "kept.bin", Tagging = new Tagging { TagSet = [new Tag { Key = "k", Value = "v" }] },
        })));

        // Reads go on, of what was there before, unharmed.
        await AssertServedAsync(s3, "kept.bin", 300_000, seed: 1);
        await AssertServedAsync(s3, "by-hand.bin", 100_000, seed: 2);
        Assert.Empty((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "kept.bin" })).Tagging ?? []);
        // Listed from the store's listing index, which a file put by hand into a bucket the server
        // made is not in until the index is rebuilt (docs/stores.md, "The listing index").
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Equal(["kept.bin"], listed.S3Objects.Select(o => o.Key));
        // Nothing half-written: no temp file, no sidecar but kept.bin's.
        Assert.Empty(Directory.GetFiles(Path.Join(data, ".s3overlay", "tmp")));
        Assert.Single(Sidecars(data));

        disk.Free();
        await PutAsync(s3, "new.bin", 300_000, seed: 4);
        await s3.CopyObjectAsync(Bucket, "kept.bin", Bucket, "copy.bin");
        await AssertServedAsync(s3, "new.bin", 300_000, seed: 4);
        await AssertServedAsync(s3, "copy.bin", 300_000, seed: 1);
        ReliabilityRun.Report("full disk (embedded store)",
            "a 4 MiB tmpfs filled to its last page: a PUT over an object, a new PUT, a copy and a tagging write; reads, a listing; then space freed",
            "the 4 writes answered 507 XMinioStorageFull; 0 temp files, 0 stray sidecars; the 2 earlier objects (one put by hand) served whole; writes worked again with no restart");
    }

    [Fact]
    public async Task Parts_and_completions_that_find_no_room_are_507_and_the_upload_goes_on_once_space_returns()
    {
        await using var world = await World.StartAsync();
        var (disk, data, s3) = (world.Disk, world.Data, world.S3);
        var upload = (await s3.InitiateMultipartUploadAsync(Bucket, "big.bin")).UploadId;
        disk.FillUp(leave: 65_536); // room for a part's bytes, none for its record
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => UploadPartAsync(s3, upload, 1, 0, 65_536)));
        Assert.Equal(["upload.json"], UploadFiles(data));
        disk.Free();

        var first = await UploadPartAsync(s3, upload, 1, 0, 300_000);
        disk.FillUp();
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => UploadPartAsync(s3, upload, 2, 300_000, 200_000)));
        // Completing copies the parts into one file: there is no room for it.
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => CompleteAsync(s3, upload, first)));
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.InitiateMultipartUploadAsync(Bucket, "other.bin")));

        // The upload holds its first part, whole, and nothing else; no object, no other upload, no temp file.
        var parts = await s3.ListPartsAsync(Bucket, "big.bin", upload);
        Assert.Equal([1], parts.Parts.Select(p => p.PartNumber ?? 0));
        Assert.Equal(["00001.json", "00001.part", "upload.json"], UploadFiles(data));
        Assert.Empty(Directory.GetFiles(Path.Join(data, ".s3overlay", "tmp")));
        Assert.Empty(Sidecars(data));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Bucket, "big.bin"))).StatusCode);

        disk.Free();
        var second = await UploadPartAsync(s3, upload, 2, 300_000, 200_000);
        await CompleteAsync(s3, upload, first, second);
        await AssertServedAsync(s3, "big.bin", 500_000, seed: 5);
    }

    [Fact]
    public async Task Health_says_the_disk_is_full_until_space_returns()
    {
        await using var world = await World.StartAsync();
        var (disk, s3) = (world.Disk, world.S3);
        using var http = world.Proxy.CreateHttpClient(signed: false);
        Assert.Equal("Healthy", (await DiskCheckAsync(http)).Status);

        disk.FillUp();
        var (status, description) = await DiskCheckAsync(http);
        Assert.Equal("Degraded", status);
        Assert.Contains("the data folder's file system is full", description);

        // Room again, but not for a write larger than what is free: full while that is the last write.
        disk.Free();
        AssertFull(await Assert.ThrowsAsync<AmazonS3Exception>(() => PutAsync(s3, "too-big.bin", 5 * MiB, seed: 6)));
        (status, description) = await DiskCheckAsync(http);
        Assert.Equal("Degraded", status);
        Assert.Contains("the last write failed for lack of room", description);
        await PutAsync(s3, "fits.bin", 100_000, seed: 7);
        Assert.Equal("Healthy", (await DiskCheckAsync(http)).Status);
    }

    /// <summary>The proxy on a 4 MiB disk, with the test's bucket; parts from 64 KiB, so small uploads can have several.</summary>
    private sealed class World(SmallDisk disk, string data, ProxyServer proxy) : IAsyncDisposable
    {
        public SmallDisk Disk => disk;
        public string Data => data;
        public ProxyServer Proxy => proxy;
        public AmazonS3Client S3 { get; } = proxy.CreateClient(defaults: false);

        public static async Task<World> StartAsync()
        {
            var disk = SmallDisk.Mount(4 * MiB);
            var data = disk.Folder("data");
            ProxyServer proxy;
            try
            {
                proxy = await ProxyServer.StartAsync(new Dictionary<string, string?> { ["S3_OVERLAY_MULTIPART_MIN_PART_SIZE"] = "65536" }, dataDir: data);
            }
            catch
            {
                disk.Dispose();
                throw;
            }
            var world = new World(disk, data, proxy);
            try
            {
                await world.S3.PutBucketAsync(Bucket);
                return world;
            }
            catch
            {
                await world.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            S3.Dispose();
            try { await proxy.DisposeAsync(); }
            finally { disk.Dispose(); } // unmounted whatever the proxy's teardown says
        }
    }

    private static void AssertFull(AmazonS3Exception e)
    {
        Assert.Equal((HttpStatusCode)507, e.StatusCode);
        Assert.Equal("XMinioStorageFull", e.ErrorCode);
        Assert.Equal("Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.", e.Message);
    }

    /// <summary>The files of the bucket's one multipart upload, by name.</summary>
    private static string[] UploadFiles(string data) =>
        Directory.GetFiles(Assert.Single(Directory.GetDirectories(Path.Join(data, ".s3overlay", "uploads", Bucket))))
            .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The object sidecars of the test's bucket (its bucket settings aside).</summary>
    private static string[] Sidecars(string data)
    {
        var meta = Path.Join(data, ".s3overlay", "meta", Bucket);
        return !Directory.Exists(meta) ? [] : Directory.GetFiles(meta, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bucket{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToArray();
    }

    private static Task PutAsync(AmazonS3Client s3, string key, long length, int seed) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = PatternData.Open(length, seed), UseChunkEncoding = false });

    private static async Task AssertServedAsync(AmazonS3Client s3, string key, long length, int seed)
    {
        using var response = await s3.GetObjectAsync(Bucket, key);
        Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, 0, length, seed));
    }

    /// <summary>Part <paramref name="number"/>: bytes [<paramref name="offset"/>, +<paramref name="length"/>) of the pattern of seed 5.</summary>
    private static async Task<PartETag> UploadPartAsync(AmazonS3Client s3, string upload, int number, long offset, long length)
    {
        var bytes = new byte[length];
        PatternData.Fill(bytes, offset, 5);
        var body = new MemoryStream(bytes);
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket, Key = "big.bin", UploadId = upload, PartNumber = number, InputStream = body, UseChunkEncoding = false,
        });
        return new PartETag(number, part.ETag);
    }

    private static Task CompleteAsync(AmazonS3Client s3, string upload, params PartETag[] parts) =>
        s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = "big.bin", UploadId = upload, PartETags = [.. parts] });

    private static async Task<(string? Status, string? Description)> DiskCheckAsync(HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "_overlay/health");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ProxyServer.AccessKey}:{ProxyServer.SecretKey}")));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // degraded is still 200: reads are served
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var disk = json.RootElement.GetProperty("checks").GetProperty("disk");
        return (disk.GetProperty("status").GetString(), disk.GetProperty("description").GetString());
    }
}
