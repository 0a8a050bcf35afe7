using System.Security.Cryptography.X509Certificates;
using Amazon.S3.Model;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Tests.Overlay;

namespace S3Overlay.Tests.Clients;

/// <summary>
/// pgBackRest 2.45 (Debian's pgbackrest), without a running PostgreSQL: it backs up a
/// stopped cluster (<c>--no-online</c>, a data folder PostgresFiles writes) and archives any WAL
/// segment whose header names that cluster. pgBackRest speaks S3 over HTTPS only, so the proxy
/// serves HTTPS with a certificate made here, which pgBackRest trusts as its CA file.
/// A KMS key (<c>x-amz-server-side-encryption: aws:kms</c>) is refused, not dropped, without a
/// master key, and with one (named as the KMS key) encrypts the whole repository. With the repository on the remote, every object of it cached and the remote gone,
/// <c>archive-push</c> (it lists the archive folder before each push: a failed listing piles WAL up on
/// the primary), <c>info</c>, <c>restore</c> and <c>archive-get</c> work from degraded listings.
/// </summary>
[ConformanceTests]
public sealed class PgBackRestTests : IClassFixture<OverlayServers>, IDisposable
{
    private const string Stanza = "demo";
    private readonly OverlayServers _servers;
    private readonly ClientProcess _pgbackrest = new();
    private readonly X509Certificate2 _ca;
    private readonly Dictionary<string, string?> _https;

    public PgBackRestTests(OverlayServers servers)
    {
        _servers = servers;
        var key = Path.Combine(Home, "key.pem");
        _ca = TestCertificates.WriteSelfSigned("pgbackrest", CertPath, key);
        _https = new() { ["S3_OVERLAY_TLS_CERT"] = CertPath, ["S3_OVERLAY_TLS_KEY"] = key, ["urls"] = "https://127.0.0.1:0" };
        PostgresFiles.WriteDataDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(Home, "pgbackrest.conf"), ""); // not the machine's /etc/pgbackrest.conf
    }

    private string Home => _pgbackrest.Home;
    private string DataDirectory => Path.Combine(Home, "pg");
    private string CertPath => Path.Combine(Home, "cert.pem");

    /// <summary>Points pgBackRest's repository at <paramref name="bucket"/> of the proxy (its options as PGBACKREST_* variables: keys may not be given on its command line).</summary>
    private void UseRepository(ProxyServer proxy, string bucket)
    {
        var options = new Dictionary<string, string>
        {
            ["STANZA"] = Stanza,
            ["PG1_PATH"] = DataDirectory,
            ["REPO1_TYPE"] = "s3",
            ["REPO1_PATH"] = "/repo",
            ["REPO1_S3_BUCKET"] = bucket,
            ["REPO1_S3_ENDPOINT"] = "localhost", // the certificate's name: pgBackRest checks DNS names, not addresses
            ["REPO1_STORAGE_PORT"] = $"{new Uri(proxy.Url).Port}",
            ["REPO1_STORAGE_CA_FILE"] = CertPath,
            ["REPO1_S3_REGION"] = "us-east-1",
            ["REPO1_S3_URI_STYLE"] = "path",
            ["REPO1_S3_KEY"] = ProxyServer.AccessKey,
            ["REPO1_S3_KEY_SECRET"] = ProxyServer.SecretKey,
            ["REPO1_RETENTION_FULL"] = "2",
            ["LOCK_PATH"] = Path.Combine(Home, "lock"),
            ["LOG_PATH"] = Path.Combine(Home, "log"),
            ["LOG_LEVEL_FILE"] = "off",
            ["LOG_LEVEL_CONSOLE"] = "warn",
        };
        foreach (var (name, value) in options) _pgbackrest["PGBACKREST_" + name] = value;
    }

    private Task<ClientResult> TryAsync(params string[] arguments) =>
        _pgbackrest.TryRunAsync("/usr/bin/pgbackrest", [$"--config={Path.Combine(Home, "pgbackrest.conf")}", .. arguments]);

    private async Task<string> RunAsync(params string[] arguments)
    {
        var result = await TryAsync(arguments);
        Assert.True(result.ExitCode == 0, $"pgbackrest {string.Join(' ', arguments)} exited with {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }

    /// <summary>An HTTPS proxy on the embedded store (with <paramref name="settings"/> too), a bucket in it (pgBackRest's repo-create) and the stanza.</summary>
    private async Task<ProxyServer> StartRepositoryAsync(string bucket, IDictionary<string, string?>? settings = null)
    {
        var proxy = await ProxyServer.StartAsync(settings is null ? _https : new Dictionary<string, string?>(_https.Concat(settings)));
        UseRepository(proxy, bucket);
        await RunAsync("repo-create");
        await RunAsync("stanza-create", "--no-online");
        return proxy;
    }

    [Fact]
    public async Task Archive_push_with_a_KMS_key_is_refused_and_the_WAL_is_not_stored()
    {
        await using var proxy = await StartRepositoryAsync("pgbackrest");
        var wal = PostgresFiles.WriteWal(DataDirectory, 1);

        // pgBackRest retries a 5xx until its I/O timeout (60 s by default, as against MinIO): 1 s here.
        var refused = await TryAsync("archive-push", "--repo1-s3-kms-key-id=backup-key", "--io-timeout=1", wal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("[501] Not Implemented", refused.StdErr);
        Assert.DoesNotContain(PostgresFiles.WalName(1), await RunAsync("repo-ls", "--recurse", "archive"));

        await RunAsync("archive-push", wal);
        Assert.Contains(PostgresFiles.WalName(1), await RunAsync("repo-ls", "--recurse", "archive"));
    }

    /// <summary>
    /// With a master key, pgBackRest's KMS key (<c>repo1-s3-kms-key-id</c>, the master key's name)
    /// is honoured: every file of the repository is stored SSE-KMS, the data folder never holds its
    /// bytes in the clear, and backup, info and restore work as without it.
    /// </summary>
    [Fact]
    public async Task With_a_master_key_its_KMS_key_encrypts_the_whole_repository_and_restore_reads_it_back()
    {
        await using var proxy = await StartRepositoryAsync("pgbackrest-sse",
            new Dictionary<string, string?> { ["S3_OVERLAY_KMS_SECRET_KEY"] = Storage.Encryption.EncryptionAtRestTests.MasterKey });
        _pgbackrest["PGBACKREST_REPO1_S3_KMS_KEY_ID"] = "test-key"; // the master key's name
        await RunAsync("archive-push", PostgresFiles.WriteWal(DataDirectory, 1));
        await RunAsync("backup", "--no-online", "--type=full");
        Assert.Contains("full backup", await RunAsync("info"));
        await RestoreAndCheckAsync();

        using var s3 = TestCertificates.TrustingClient(proxy.Url, _ca);
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "pgbackrest-sse", Prefix = "repo/" })).S3Objects.Select(o => o.Key).ToList();
        var wal = Assert.Single(keys, k => k.StartsWith("repo/archive/", StringComparison.Ordinal) && k.Contains(PostgresFiles.WalName(1), StringComparison.Ordinal));
        foreach (var key in keys.Where(k => k.Contains("/backup/", StringComparison.Ordinal) || k == wal))
            Assert.Equal(Amazon.S3.ServerSideEncryptionMethod.AWSKMS, (await s3.GetObjectMetadataAsync("pgbackrest-sse", key)).ServerSideEncryptionMethod);
        // The archived WAL's bytes as pgBackRest wrote them (compressed), read back through the proxy: nowhere in the data folder.
        using var got = await s3.GetObjectAsync("pgbackrest-sse", wal);
        using var bytes = new MemoryStream();
        await got.ResponseStream.CopyToAsync(bytes);
        var slice = bytes.ToArray().AsSpan((int)bytes.Length / 2, 48).ToArray();
        Assert.False(Directory.EnumerateFiles(proxy.DataDir, "*", SearchOption.AllDirectories).Any(path => File.ReadAllBytes(path).AsSpan().IndexOf(slice) >= 0),
            "the data folder holds an encrypted WAL's bytes in the clear");
    }

    [Fact]
    public async Task With_the_repository_cached_and_the_remote_gone_archive_push_info_restore_and_archive_get_work_from_degraded_listings()
    {
        await using var env = await OverlayEnvironment.StartAsync(_servers, LocalStoreKind.Embedded,
            new Dictionary<string, string?>(_https) { ["S3_OVERLAY_DEGRADED_LISTINGS"] = "true" });
        // The repository as the primary left it on the remote: a stanza, a WAL, a full backup.
        var wal1 = PostgresFiles.WriteWal(DataDirectory, 1);
        await using (var origin = await StartRepositoryAsync("origin"))
        {
            await RunAsync("archive-push", wal1);
            await RunAsync("backup", "--no-online", "--type=full");
            using var from = TestCertificates.TrustingClient(origin.Url, _ca);
            await from.CopyBucketAsync("origin", env.Remote, env.Bucket);
        }
        var remoteKeys = await RemoteKeysAsync(env);

        // Every object of the repository read through the overlay once, so cached (how does not matter here: the SDK reads them).
        using (var client = TestCertificates.TrustingClient(env.Proxy.Url, _ca))
            foreach (var key in remoteKeys)
                using (var cached = await client.GetObjectAsync(env.Bucket, key))
                    await cached.ResponseStream.CopyToAsync(Stream.Null);
        await env.FillsIdleAsync();

        await env.Relay.StopAsync();
        UseRepository(env.Proxy, env.Bucket);
        var wal2 = PostgresFiles.WriteWal(DataDirectory, 2);
        await RunAsync("archive-push", wal2);
        var info = await RunAsync("info");
        Assert.Contains("full backup", info);
        Assert.Contains($"wal archive min/max (15): {PostgresFiles.WalName(1)}/{PostgresFiles.WalName(2)}", info);
        await RestoreAndCheckAsync();
        var got = Path.Combine(Home, "got-wal");
        await RunAsync("archive-get", PostgresFiles.WalName(1), got);
        TestFiles.AssertSameBytes(wal1, got);
        Assert.Equal(remoteKeys, await RemoteKeysAsync(env)); // the remote is never written
    }

    /// <summary>pgbackrest restore into a new folder: the cluster's files come back byte for byte.</summary>
    private async Task RestoreAndCheckAsync()
    {
        var target = Path.Combine(Home, "restored");
        Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await RunAsync("restore", $"--pg1-path={target}");
        foreach (var file in new[] { "PG_VERSION", "global/pg_control", "base/1/16384" })
            TestFiles.AssertSameBytes(Path.Combine(DataDirectory, file), Path.Combine(target, file));
    }

    private static async Task<List<string>> RemoteKeysAsync(OverlayEnvironment env) =>
        [.. (await env.Remote.ListObjectsV2Async(new ListObjectsV2Request { BucketName = env.Bucket })).S3Objects.Select(o => o.Key)];

    public void Dispose() => _pgbackrest.Dispose();
}
