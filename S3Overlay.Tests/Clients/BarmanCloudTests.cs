using System.Formats.Tar;
using System.Net;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// barman-cloud 3.4 (Debian's barman-cli-cloud; boto3 underneath), without a
/// PostgreSQL: its WAL archiver ships any WAL-named file, and its restore tools read a backup
/// catalog in the bucket (<c>base/ID/backup.info</c> and <c>data.tar</c>, <c>wals/</c>), which the
/// tests write as barman-cloud-backup would. <c>-e AES256</c> is refused, never dropped (a backup
/// must not be stored unencrypted while its owner believes it encrypted). With every object of the backup cached and the remote gone, the catalog's listings (the
/// backup list, the backup's files, the WAL folder) are answered from the local store when degraded
/// listings are on (a 503 there would fail the restore though every GET would work).
/// </summary>
[ConformanceTests]
public sealed class BarmanCloudTests(OverlayServers servers) : IClassFixture<OverlayServers>
{
    private const string Server = "pg1";
    private const string BackupId = "20261125T120000";

    private static ClientProcess Barman()
    {
        var barman = new ClientProcess();
        barman["AWS_ACCESS_KEY_ID"] = ProxyServer.AccessKey;
        barman["AWS_SECRET_ACCESS_KEY"] = ProxyServer.SecretKey;
        barman["AWS_DEFAULT_REGION"] = "us-east-1";
        barman["AWS_EC2_METADATA_DISABLED"] = "true";
        return barman;
    }

    private static Task<ClientResult> RunAsync(ClientProcess barman, string tool, string endpoint, params string[] arguments) =>
        barman.TryRunAsync("/usr/bin/barman-cloud-" + tool, ["--endpoint-url", endpoint, .. arguments]);

    private static async Task<string> RunOkAsync(ClientProcess barman, string tool, string endpoint, params string[] arguments)
    {
        var result = await RunAsync(barman, tool, endpoint, arguments);
        Assert.True(result.ExitCode == 0, $"barman-cloud-{tool} exited with {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }

    private static string WriteWal(ClientProcess barman, int segment) =>
        TestFiles.WriteRandom(Path.Combine(barman.Home, "pg_wal", $"{1:X8}{0:X8}{segment:X8}"), 64 * 1024, seed: segment);

    [Fact]
    public async Task Wal_archive_with_server_side_encryption_is_refused_and_nothing_is_stored_unencrypted()
    {
        await using var proxy = await ProxyServer.StartAsync();
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("barman");
        using var barman = Barman();

        var refused = await RunAsync(barman, "wal-archive", proxy.Url, "-e", "AES256", "s3://barman/pg", Server, WriteWal(barman, 1));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("NotImplemented", refused.StdErr);
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "barman" })).S3Objects ?? []);

        // Without it the same WAL is archived.
        await RunOkAsync(barman, "wal-archive", proxy.Url, "s3://barman/pg", Server, WriteWal(barman, 1));
        Assert.Equal(HttpStatusCode.OK, (await s3.GetObjectMetadataAsync("barman", $"pg/{Server}/wals/0000000100000000/000000010000000000000001")).HttpStatusCode);
    }

    /// <summary>
    /// With a master key, <c>-e AES256</c> is honoured: the WAL is archived encrypted (the data folder
    /// never holds its bytes), restored byte for byte, and told encrypted on HEAD.
    /// </summary>
    [Fact]
    public async Task Wal_archive_with_SSE_S3_and_a_master_key_is_stored_encrypted_and_restored()
    {
        await using var proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
            { ["S3_OVERLAY_KMS_SECRET_KEY"] = Storage.Encryption.EncryptionAtRestTests.MasterKey });
        using var s3 = proxy.CreateClient(defaults: false);
        await s3.PutBucketAsync("barman");
        using var barman = Barman();
        var wal = WriteWal(barman, 1);

        await RunOkAsync(barman, "wal-archive", proxy.Url, "-e", "AES256", "s3://barman/pg", Server, wal);
        var key = $"pg/{Server}/wals/0000000100000000/000000010000000000000001";
        Assert.Equal(Amazon.S3.ServerSideEncryptionMethod.AES256, (await s3.GetObjectMetadataAsync("barman", key)).ServerSideEncryptionMethod);
        var restored = Path.Combine(barman.Home, "restored-wal");
        await RunOkAsync(barman, "wal-restore", proxy.Url, "s3://barman/pg", Server, "000000010000000000000001", restored);
        TestFiles.AssertSameBytes(wal, restored);

        // barman-cloud compresses nothing unless asked: the WAL's own bytes would be in the data folder, were it stored in the clear.
        var window = File.ReadAllBytes(wal).AsSpan(1000, 64).ToArray();
        Assert.DoesNotContain(Directory.EnumerateFiles(proxy.DataDir, "*", SearchOption.AllDirectories), path => File.ReadAllBytes(path).AsSpan().IndexOf(window) >= 0);
    }

    /// <summary>
    /// The backup and its WALs are on the remote and every object of them was read through the
    /// overlay once (so cached: how does not matter here, the SDK reads them); then the remote goes.
    /// barman-cloud-backup-list lists <c>base/</c>, barman-cloud-restore the backup's folder and
    /// barman-cloud-wal-restore the WAL folder: each gets its answer from the local store.
    /// </summary>
    [Fact]
    public async Task With_the_backup_cached_and_the_remote_gone_backup_list_restore_and_wal_restore_work_from_degraded_listings()
    {
        await using var env = await OverlayEnvironment.StartAsync(servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?> { ["S3_OVERLAY_DEGRADED_LISTINGS"] = "true" });
        using var barman = Barman();
        var source = WriteDataDirectory(Path.Combine(barman.Home, "pgdata"));
        foreach (var key in await SeedCatalogAsync(env, barman, source))
            using (var cached = await env.Client.GetObjectAsync(env.Bucket, key))
                await cached.ResponseStream.CopyToAsync(Stream.Null);
        await env.FillsIdleAsync();

        await env.Relay.StopAsync();
        var (url, endpoint) = ($"s3://{env.Bucket}/pg", env.Proxy.Url);
        Assert.Contains(BackupId, await RunOkAsync(barman, "backup-list", endpoint, url, Server));

        var target = Path.Combine(barman.Home, "restored");
        await RunOkAsync(barman, "restore", endpoint, url, Server, BackupId, target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            TestFiles.AssertSameBytes(file, Path.Combine(target, Path.GetRelativePath(source, file)));

        var wal = Path.Combine(barman.Home, "restored-wal");
        await RunOkAsync(barman, "wal-restore", endpoint, url, Server, "000000010000000000000002", wal);
        TestFiles.AssertSameBytes(WriteWal(barman, 2), wal);
    }

    private static string WriteDataDirectory(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "PG_VERSION"), "15\n");
        TestFiles.WriteRandom(Path.Combine(root, "base", "1", "16384"), 100_000, seed: 3);
        TestFiles.WriteRandom(Path.Combine(root, "global", "1262"), 8192, seed: 4);
        return root;
    }

    /// <summary>What barman-cloud-backup and barman-cloud-wal-archive leave in the bucket, put on the remote directly.</summary>
    private static async Task<List<string>> SeedCatalogAsync(OverlayEnvironment env, ClientProcess barman, string source)
    {
        var tar = Path.Combine(barman.Home, "data.tar");
        await TarFile.CreateFromDirectoryAsync(source, tar, includeBaseDirectory: false);
        var prefix = $"pg/{Server}";
        await env.Remote.PutObjectAsync(new PutObjectRequest
        {
            BucketName = env.Bucket, Key = $"{prefix}/base/{BackupId}/backup.info", UseChunkEncoding = false,
            ContentBody = $"backup_id={BackupId}\nstatus=DONE\nversion=150000\nbegin_time=2026-11-25 12:00:00+00:00\n" +
                "end_time=2026-11-25 12:00:05+00:00\nbegin_wal=000000010000000000000001\nend_wal=000000010000000000000002\n",
        });
        await env.Remote.PutObjectAsync(new PutObjectRequest { BucketName = env.Bucket, Key = $"{prefix}/base/{BackupId}/data.tar", FilePath = tar, UseChunkEncoding = false });
        for (var segment = 1; segment <= 2; segment++)
            await env.Remote.PutObjectAsync(new PutObjectRequest
            {
                BucketName = env.Bucket, Key = $"{prefix}/wals/0000000100000000/{1:X8}{0:X8}{segment:X8}", FilePath = WriteWal(barman, segment), UseChunkEncoding = false,
            });
        return [.. (await env.Remote.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects.Select(o => o.Key)];
    }
}
