using System.Text.RegularExpressions;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;
using Window = S3Overlay.Tests.Clients.GdalRasters.Window;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// GDAL 3.6's <c>/vsis3/</c> writes a GeoTIFF
/// (it leaves Content-Type unsigned), and reads windows of a cloud-optimized GeoTIFF through
/// the overlay (s3rver behind a counting relay, 64 KiB chunks): what the remote is asked (GDAL
/// lists the folder on every open), a remote overwrite between reads, and an open with the remote
/// down.
/// </summary>
[ConformanceTests]
public sealed class GdalTests(OverlayServers servers, GdalRasters rasters, ITestOutputHelper output)
    : IClassFixture<OverlayServers>, IClassFixture<GdalRasters>
{
    private const long Chunk = 64 * 1024;
    private const string Key = "maps/cog.tif";
    private static readonly Window Whole = new(0, 0, GdalRasters.Size, GdalRasters.Size);

    private Task<OverlayEnvironment> StartOverlayAsync(params (string Name, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{Chunk}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{Chunk}",
        };
        foreach (var (name, value) in settings) all[name] = value;
        return OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, all);
    }

    /// <summary>Puts a version of the COG on the remote directly (not through the relay: not counted).</summary>
    private Task SeedAsync(OverlayEnvironment env, int version) =>
        env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = Key, FilePath = rasters.Cog(version), UseChunkEncoding = false });

    private static string Source(OverlayEnvironment env) => $"/vsis3/{env.Bucket}/{Key}";

    private static int RemoteLists(OverlayEnvironment env) => env.Relay.Targets.Count(t => t.Contains("delimiter", StringComparison.Ordinal) || t.Contains("list-type", StringComparison.Ordinal));

    [Fact]
    public async Task Gdal_writes_a_GeoTIFF_through_vsis3_with_an_unsigned_Content_Type_and_its_bytes_are_stored_as_written()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("gdal");
        using var gdal = new GdalClient(proxy.Url);
        // GDAL writes a GeoTIFF to /vsis3/ through a local temporary file, then PUTs it (3.6 needs the setting for w+).
        gdal["CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE"] = "YES";
        string[] options = ["-q", "-of", "GTiff", "-co", "TILED=YES"];

        var log = await gdal.RunAsync("gdal_translate", [.. options, rasters.Raw(0), "/vsis3/gdal/out/written.tif"]);

        // The PUT names a Content-Type it does not sign (curl's --aws-sigv4 and minio-go neither): accepted, as S3 does.
        var put = Regex.Match(log, @"(?s)^> PUT /gdal/out/written\.tif HTTP/1\.1\r?\n(.*?)\r?\n\r?\n", RegexOptions.Multiline);
        Assert.True(put.Success, log);
        Assert.Matches(@"(?m)^Content-Type: image/tiff\r?$", put.Groups[1].Value);
        Assert.DoesNotContain("content-type", Regex.Match(put.Groups[1].Value, "SignedHeaders=[^,]*").Value);

        var local = Path.Combine(gdal.Home, "written.tif");
        await gdal.RunAsync("gdal_translate", [.. options, rasters.Raw(0), local]);
        var stored = Path.Combine(gdal.Home, "stored.tif");
        using (var get = await s3.GetObjectAsync("gdal", "out/written.tif"))
        {
            Assert.Equal("image/tiff", get.Headers.ContentType);
            await get.WriteResponseStreamToFileAsync(stored, append: false, default);
        }
        TestFiles.AssertSameBytes(local, stored);
        Assert.Equal([rasters.WindowHash(0, Whole)], (await gdal.ReadWindowsAsync("/vsis3/gdal/out/written.tif", Whole)).Hashes);
    }

    [Fact]
    public async Task A_window_of_a_cloud_optimized_GeoTIFF_costs_the_remote_the_chunks_GDAL_reached_and_a_repeat_open_costs_nothing()
    {
        await using var env = await StartOverlayAsync(("S3_OVERLAY_LISTING_CACHE_TTL", "60"));
        await SeedAsync(env, 0);
        using var gdal = new GdalClient(env.Proxy.Url);
        var window = new Window(300, 300, 300, 300);

        env.Relay.ResetCounts();
        var (hashes, log) = await gdal.ReadWindowsAsync(Source(env), window);
        await env.FillsIdleAsync();
        Assert.Equal([rasters.WindowHash(0, window)], hashes);
        var ranges = GdalClient.RangesAsked(log);
        var reached = ranges.SelectMany(r => Enumerable.Range((int)(r.First / Chunk), (int)(r.Last / Chunk - r.First / Chunk + 1))).Distinct().Count();
        output.WriteLine($"GDAL asked: {string.Join(", ", ranges.Select(r => $"{r.First}-{r.Last}"))} ({reached} chunks); " +
            $"the remote: {string.Join(", ", env.Relay.Asked)}, {env.Relay.BytesRelayed} bytes");
        Assert.Equal(1, RemoteLists(env)); // the open's folder listing
        Assert.InRange(env.Relay.BytesRelayed, 1, (reached + 1) * Chunk); // the chunks reached, and at most one read ahead

        // A second open of the same window: the folder listing (cached, S3_OVERLAY_LISTING_CACHE_TTL),
        // the header and the tiles all answered here.
        env.Relay.ResetCounts();
        (hashes, _) = await gdal.ReadWindowsAsync(Source(env), window);
        await env.FillsIdleAsync();
        Assert.Equal([rasters.WindowHash(0, window)], hashes);
        Assert.Equal(0, env.Relay.TotalRequests);
    }

    /// <summary>
    /// A reader that was served the new version never gets the old one again. GDAL opens
    /// (the header: chunk 0, cached for the old version) and reads two windows in one process: the
    /// first one's tile is in a chunk never cached, so it comes from the remote, the new version,
    /// whose fill the relay holds once GDAL has its bytes (as a slow remote does); the second one's
    /// tile is in a chunk cached for the old version. Were the object's record to name the new
    /// version only once its chunk is stored, the second tile would be the old version's: GDAL
    /// would put the two versions in one raster without an error. 256 KiB chunks: each tile lies 64–140
    /// KiB into its chunk, before the 192 KiB the relay lets through.
    /// </summary>
    [Fact]
    public async Task After_a_remote_overwrite_a_window_read_after_one_served_the_new_version_is_never_the_old_one()
    {
        const long chunk = 256 * 1024;
        await using var env = await StartOverlayAsync(("S3_OVERLAY_CHUNK_SIZE", $"{chunk}"), ("S3_OVERLAY_CHUNK_THRESHOLD", $"{chunk}"));
        await SeedAsync(env, 0);
        using var gdal = new GdalClient(env.Proxy.Url);
        var top = new Window(0, 0, 256, 200);       // full-resolution tile (0, 0): chunk 1, cached for version 0
        var bottom = new Window(0, 800, 256, 200);  // tile (3, 0): chunk 4, never read before the overwrite
        Assert.Equal([rasters.WindowHash(0, top)], (await gdal.ReadWindowsAsync(Source(env), top)).Hashes);
        await env.FillsIdleAsync();

        await SeedAsync(env, 1);
        env.Relay.CutAfterBytes = 192 * 1024;
        var held = env.Relay.PauseMidBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string[] hashes;
        string log;
        try
        {
            (hashes, log) = await gdal.ReadWindowsAsync(Source(env), bottom, top);
        }
        finally
        {
            env.Relay.PauseMidBody = null;
            held.TrySetResult();
        }
        await env.FillsIdleAsync();
        output.WriteLine($"GDAL asked: {string.Join(", ", GdalClient.RangesAsked(log).Select(r => $"{r.First}-{r.Last}"))}; the remote: {string.Join(", ", env.Relay.Asked)}");
        Assert.Equal([rasters.WindowHash(1, bottom), rasters.WindowHash(1, top)], hashes);
    }

    /// <summary>
    /// GDAL lists the folder on every open; with the remote down a 503 to that listing makes a fully
    /// cached GeoTIFF take GDAL 20–30 s of retries to open. With stale-if-error the page the
    /// remote last answered is served; with degraded listings (opt-in) the local store's part is.
    /// </summary>
    [Theory]
    [InlineData("S3_OVERLAY_STALE_IF_ERROR", "60", "listing")]
    [InlineData("S3_OVERLAY_DEGRADED_LISTINGS", "true", "local-only")]
    public async Task A_cached_GeoTIFF_opens_and_reads_with_the_remote_down(string setting, string value, string marked)
    {
        await using var env = await StartOverlayAsync((setting, value));
        await SeedAsync(env, 0);
        using var gdal = new GdalClient(env.Proxy.Url);
        Assert.Equal([rasters.WindowHash(0, Whole)], (await gdal.ReadWindowsAsync(Source(env), Whole)).Hashes);
        await env.FillsIdleAsync();

        await env.Relay.StopAsync();
        var (hashes, log) = await gdal.ReadWindowsAsync(Source(env), Whole);
        Assert.Equal([rasters.WindowHash(0, Whole)], hashes);
        Assert.All(GdalClient.Statuses(log), status => Assert.InRange(status, 200, 299));
        Assert.Matches($@"(?mi)^< x-s3overlay-stale: {marked}\r?$", log);
    }
}
