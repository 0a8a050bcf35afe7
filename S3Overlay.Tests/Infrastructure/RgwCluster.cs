using System.Diagnostics;
using Amazon.S3;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>
/// A throw-away Ceph cluster serving S3 with its RADOS Gateway (a production S3 server) on
/// 127.0.0.1, started by build/rgw/rgw-cluster.sh in a temp folder of its own. The script stays
/// in the foreground as its supervisor: it stops every daemon and removes the folder when its
/// stdin closes, so a test process that dies leaves nothing behind. Three users, each owning what
/// it creates: <see cref="Main"/>, <see cref="Second"/> and <see cref="Tenant"/>.
/// </summary>
public sealed class RgwCluster : IAsyncDisposable
{
    public static string Script { get; } = Path.Combine(RepoPaths.Root, "build", "rgw", "rgw-cluster.sh");

    private readonly Process _supervisor;
    private readonly string _directory;
    private readonly string _conf;
    private int _users;

    private RgwCluster(Process supervisor, string directory, IReadOnlyDictionary<string, string> lines)
    {
        _supervisor = supervisor;
        _directory = directory;
        _conf = lines["conf"];
        Url = lines["endpoint"];
        Main = new S3User(Url, lines["access_key"], lines["secret_key"]);
        Second = new S3User(Url, lines["second_access_key"], lines["second_secret_key"]);
        Tenant = new S3User(Url, lines["tenant_access_key"], lines["tenant_secret_key"]);
        MainClient = Main.CreateClient();
    }

    public string Url { get; }

    /// <summary>The user the tests' buckets belong to.</summary>
    public S3User Main { get; }

    /// <summary>A client of <see cref="Main"/>'s (the SDK's checksums when required only), shared by the tests.</summary>
    public AmazonS3Client MainClient { get; }

    /// <summary>A proxy's settings that make this gateway, as <see cref="Main"/>, its local store.</summary>
    public Dictionary<string, string?> AsLocalStore() => Main.AsLocalStore();

    /// <summary>Another user, whose buckets <see cref="Main"/> cannot touch (and the other way round).</summary>
    public S3User Second { get; }

    /// <summary>A user of a tenant of its own: its bucket names are apart from the other users' (one bucket namespace otherwise).</summary>
    public S3User Tenant { get; }

    /// <summary>Set to <c>off</c>, the tests that need RGW skip (saying so) instead of starting a cluster.</summary>
    public const string Switch = "S3OVERLAY_TEST_RGW";

    /// <summary>Why RGW cannot run here, or null: the script and its packages are installed.</summary>
    public static string? Unavailable()
    {
        if (Environment.GetEnvironmentVariable(Switch) == "off") return $"{Switch}=off";
        return File.Exists("/usr/bin/radosgw") && File.Exists("/usr/bin/ceph-mon") && File.Exists("/usr/bin/ceph-osd") && File.Exists("/usr/bin/radosgw-admin")
            ? null
            : "Ceph's RADOS Gateway is not installed (Debian: ceph-mon ceph-osd radosgw ceph-common; build/install-test-tools.sh installs them)";
    }

    public static async Task<RgwCluster> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rgw-" + Guid.NewGuid().ToString("N")[..12]);
        var (process, lines) = await SupervisorScript.StartAsync("the RGW cluster", Script, ["run", directory], "conf");
        return new RgwCluster(process, directory, lines);
    }

    /// <summary>
    /// A user made now, in a tenant of its own: its buckets are all a proxy over it lists. One
    /// that scans lifecycle rules scans every bucket its user lists, with its own day length and
    /// its own view of a remote: over the tenant the tests share, it expired other tests' delete
    /// markers and versions by its rules' clock, not theirs.
    /// </summary>
    public async Task<S3User> CreateTenantUserAsync()
    {
        var name = $"own{Interlocked.Increment(ref _users)}";
        var (access, secret) = ($"{name.ToUpperInvariant()}ACCESSKEY", $"{name}-secret-key");
        var info = new ProcessStartInfo("radosgw-admin", ["-c", _conf, "user", "create", "--tenant", name, "--uid", name, "--display-name", name,
            "--access-key", access, "--secret-key", secret])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start radosgw-admin");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"radosgw-admin could not create user {name}: {(await stderr).Trim()}");
        return new S3User(Url, access, secret);
    }

    /// <summary>One more radosgw of this cluster, on a port of its own: the same users and buckets, a process a test may kill (on a cluster of its own).</summary>
    public Task<RgwGateway> StartGatewayAsync() => RgwGateway.StartAsync(_directory);

    public async ValueTask DisposeAsync()
    {
        MainClient.Dispose();
        await SupervisorScript.StopAsync(_supervisor, TimeSpan.FromSeconds(10));
        try { Directory.Delete(_directory, recursive: true); } catch (DirectoryNotFoundException) { } catch (IOException) { }
    }
}
