using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Records;
using static S3Overlay.Tests.Infrastructure.OverlayEnvironment;

namespace S3Overlay.Tests.Overlay;

/// <summary>
/// A cold fill into the embedded store creates one file for the body: the spill its readers
/// follow is the file the store renames into place (creating a spill file and the
/// store's own temp file per fill costs about a quarter of a cold fill's CPU).
/// </summary>
[FunctionalTests]
public sealed class FillFileTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_fill_writes_its_body_to_one_owner_only_file_which_becomes_the_stored_object()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes and inodes only");
        var spill = Directory.CreateTempSubdirectory("s3overlay-spill-").FullName;
        try
        {
            await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?> { ["S3_OVERLAY_SPILL_DIR"] = spill });
            await env.SeedRemoteAsync("one-file.bin", MiB, 11);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            env.Relay.CutAfterBytes = 256 * 1024;
            env.Relay.PauseMidBody = release;

            var staged = new Dictionary<ulong, UnixFileMode>();
            GetObjectResponse reading;
            try
            {
                reading = await env.Client.GetObjectAsync(env.Bucket, "one-file.bin");
                // The client has its first bytes and the remote is paused mid-body: the fill is under way.
                Assert.Empty(Directory.EnumerateFiles(spill, "*", SearchOption.AllDirectories)); // no spill of its own beside the store's file
                foreach (var f in Directory.EnumerateFiles(Path.Join(env.DataDir, StoreLayout.ReservedName, "tmp")))
                    if (ModeOf(f) is { } staging) staged[staging.Inode] = staging.Mode;
            }
            finally
            {
                // Released whatever failed above: a fill held mid-body would hold the proxy's
                // stop for its whole timeout, and the teardown's failure would hide this test's.
                release.TrySetResult();
            }
            using var _ = reading;
            Assert.Null(await PatternData.MismatchAsync(reading.ResponseStream, 0, MiB, 11));
            await env.FillsIdleAsync();

            // The stored object is the very file the fill was writing (renamed), owner-only like every body being written.
            var stored = FileVersion.OfPath(Path.Join(env.DataDir, env.Bucket, "one-file.bin"))?.Inode ?? 0;
            Assert.True(staged.TryGetValue(stored, out var mode), "the stored object is a file the fill was writing");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            var requests = env.Relay.TotalRequests;
            using var again = await env.Client.GetObjectAsync(env.Bucket, "one-file.bin");
            Assert.Null(await PatternData.MismatchAsync(again.ResponseStream, 0, MiB, 11));
            Assert.Equal(requests, env.Relay.TotalRequests); // served from the local copy
        }
        finally
        {
            Directory.Delete(spill, recursive: true);
        }
    }

    /// <summary>
    /// A staged file's inode and mode; null when it is gone (the store's other writes, a record
    /// or a sidecar, stage in the same folder and are renamed away at any moment).
    /// </summary>
    private static (ulong Inode, UnixFileMode Mode)? ModeOf(string path)
    {
        try
        {
            return FileVersion.OfPath(path)?.Inode is { } inode ? (inode, File.GetUnixFileMode(path)) : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_fill_is_committed_unflushed_and_marked_so_while_a_clients_put_is_flushed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("a boot id is Linux's");
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded);
        await env.SeedRemoteAsync("filled.bin", 64 * 1024, 5);
        using (var read = await env.Client.GetObjectAsync(env.Bucket, "filled.bin"))
            Assert.Null(await PatternData.MismatchAsync(read.ResponseStream, 0, 64 * 1024, 5));
        await env.FillsIdleAsync();
        await env.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = env.Bucket, Key = "written.bin", ContentBody = "a client's" });

        var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        var marks = Directory.EnumerateFiles(Path.Join(env.DataDir, StoreLayout.ReservedName, "meta", env.Bucket), "*.json", SearchOption.AllDirectories)
            .Select(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))!)
            .ToDictionary(j => (string)j["key"]!, j => (string?)j["unflushed"]?["bootId"]);
        Assert.Equal(boot, marks["filled.bin"]);
        Assert.Null(marks["written.bin"]);
    }

    [Fact]
    public async Task A_fill_record_is_written_unchecked_and_one_a_power_cut_tore_costs_a_remote_request_never_a_wrong_answer()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("a boot id is Linux's");
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded, new Dictionary<string, string?>
        {
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{MiB}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{MiB}",
        });
        const long size = 2 * MiB + 1000; // chunked: its record is the manifest every later read needs
        await env.SeedRemoteAsync("chunked.bin", size, 12);
        await env.GetAndCheckAsync("chunked.bin", 12, size);
        await env.FillsIdleAsync();

        // The chunks' sidecars carry the mark that has a torn body found; the record's does not
        // (nothing of it is flushed): its reader finds a torn one itself.
        var cacheBucket = env.Proxy.Services.GetRequiredService<S3Overlay.Overlay.OverlaySettings>().CacheBucket;
        var marks = Directory.EnumerateFiles(Path.Join(env.DataDir, StoreLayout.ReservedName, "meta", cacheBucket), "*.json", SearchOption.AllDirectories)
            .Select(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))!)
            .ToDictionary(j => (string)j["key"]!, j => j["unflushed"] is not null);
        var record = S3Overlay.Overlay.Records.CacheKeys.Manifest(env.Bucket, "chunked.bin");
        Assert.False(marks[record]);
        Assert.Equal(3, marks.Count(m => m.Key != record && m.Value)); // chunks 0, 1 and 2

        // A power cut tore the record (its bytes zeroed in place) and the proxy started again: the
        // next read asks the remote again and serves the right bytes, and stores the record anew.
        var recordFile = Path.Join(env.DataDir, cacheBucket, record);
        File.WriteAllBytes(recordFile, new byte[new FileInfo(recordFile).Length]);
        await env.RestartAsync();
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("chunked.bin", 12, size);
        await env.FillsIdleAsync();
        Assert.True(env.Relay.TotalRequests > 0, "the torn record was taken for none");
        env.Relay.ResetCounts();
        await env.GetAndCheckAsync("chunked.bin", 12, size);
        Assert.Equal(0, env.Relay.TotalRequests);
    }
}
