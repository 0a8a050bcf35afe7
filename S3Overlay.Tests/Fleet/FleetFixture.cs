using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Fleet;

/// <summary>
/// One fleet for all the fleet tests (started once: a proxy process costs seconds of CPU): three
/// replicas over one shared local store, reading through a counting relay from the remote
/// (s3rver), behind nginx round-robin. Each test uses keys of its own in the one bucket.
/// </summary>
/// <remarks>
/// The shared store is our own server on its embedded store, standing in for MinIO: with s3rver
/// there, one run had 500 answers and another a GET that failed the SDK's MD5 check, under
/// three replicas' concurrent fills (s3rver 3.7.1 rewrote an object's files in place while others
/// read them; the tests' s3rver now replaces them whole, s3rver/durable-writes.js).
/// </remarks>
public class FleetFixture : IAsyncLifetime
{
    public const string AccessKey = "fleetroot";
    public const string SecretKey = "fleetroot-secret";
    /// <summary>A client's user, not the root: it may read, but not speak for a peer.</summary>
    public const string UserKey = "fleetclient";
    public const string UserSecret = "fleetclient-secret";

    public const int ChunkSize = 64 * 1024;

    private readonly Dictionary<string, string> _environment = new();
    private readonly List<string> _folders = [];

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("s3overlay-fleet-").FullName;
        _folders.Add(folder);
        return folder;
    }

    public CountingRelay Relay { get; private set; } = null!;
    public AmazonS3Client Remote { get; private set; } = null!;
    public string Bucket { get; } = "f" + Guid.NewGuid().ToString("N")[..12];
    public string[] Urls { get; private set; } = [];
    /// <summary>Replicas 0 and 1 run in this process (they start quickly and share its compiled code); replica 2, the one a test kills, is a process.</summary>
    public ProxyServer[] InProcess { get; private set; } = [];
    public ProxyProcess Victim { get; private set; } = null!;
    public const int VictimIndex = 2;
    public NginxBalancer Balancer { get; private set; } = null!;

    /// <summary>Our own server when it is the local store the replicas share (<see cref="StartSharedStoreAsync"/>).</summary>
    public ProxyServer? Store { get; private set; }

    /// <summary>The local store the replicas share, and its user.</summary>
    public S3User SharedStore { get; private set; } = null!;

    /// <summary>Why this fleet did not start (its shared store cannot run here), or null: its tests skip saying so.</summary>
    public string? Unavailable { get; private set; }
    public const string StoreKey = "fleetstore";
    public const string StoreSecret = "fleetstore-secret";

    /// <summary>An S3 client of the balancer, signed with the root key (every replica's).</summary>
    public AmazonS3Client Client { get; private set; } = null!;

    /// <summary>How long the fleet took to start (for the tests' output).</summary>
    public TimeSpan StartTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (var store, Unavailable) = await StartSharedStoreAsync();
        if (store is null) return;
        SharedStore = store;
        var remote = await SharedS3rver.Remote.GetAsync();
        Remote = S3Clients.Create(remote.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
        await Remote.PutBucketAsync(Bucket);
        Relay = await CountingRelay.StartAsync(remote.Url);
        Urls = [.. FreePorts.Take(3).Select(port => $"http://127.0.0.1:{port}")];
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = Relay.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_REMOTE_BUCKETS"] = Bucket,
            ["S3_OVERLAY_CACHE_ENABLED"] = "true",
            ["S3_OVERLAY_CACHE_BUCKET"] = "cache-" + Bucket,
            ["S3_OVERLAY_CHUNK_SIZE"] = $"{ChunkSize}",
            ["S3_OVERLAY_CHUNK_THRESHOLD"] = $"{ChunkSize}",
            ["S3_OVERLAY_ACCESS_KEY"] = AccessKey,
            ["S3_OVERLAY_SECRET_KEY"] = SecretKey,
            ["Overlay__Users__client__AccessKey"] = UserKey,
            ["Overlay__Users__client__SecretKey"] = UserSecret,
            // Anyone may read: so a forwarded mark, not the lack of a signature, is what refuses an anonymous peer.
            ["S3_OVERLAY_PUBLIC_BUCKETS"] = Bucket,
            ["S3_OVERLAY_PEERS"] = string.Join(',', Urls),
            // A loaded test machine can take seconds to answer; a peer that is killed refuses at once.
            ["S3_OVERLAY_PEER_TIMEOUT"] = "30",
            // A replica started again is asked again within a second (the kill test restarts one).
            ["S3_OVERLAY_PEER_DOWN_FOR"] = "1",
            ["S3_OVERLAY_SPILL_DIR"] = Path.Combine(Path.GetTempPath(), "s3overlay-test-spill"),
        })
            _environment[name] = value;
        foreach (var (name, value) in store.AsLocalStore()) _environment[name] = value!;
        var victim = StartVictimAsync();
        InProcess = await Task.WhenAll(Urls.Take(VictimIndex).Select(url => ProxyServer.StartAsync(new Dictionary<string, string?>(
            // As the environment provider reads them: Overlay__Users__… is Overlay:Users:….
            _environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
        {
            ["urls"] = url,
            ["S3_OVERLAY_PEER_URL"] = url,
        })));
        Victim = await victim;
        Balancer = await NginxBalancer.StartAsync(Urls);
        Client = S3Clients.Create(Balancer.Url, AccessKey, SecretKey, defaults: false);
        StartTime = clock.Elapsed;
    }

    /// <summary>Starts the store the replicas share: our own server on its embedded store; null and why where it cannot run.</summary>
    protected virtual async Task<(S3User? Store, string? Unavailable)> StartSharedStoreAsync()
    {
        Store = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_ACCESS_KEY"] = StoreKey,
            ["S3_OVERLAY_SECRET_KEY"] = StoreSecret,
        });
        return (new S3User(Store.Url, StoreKey, StoreSecret), null);
    }

    /// <summary>The settings every replica of the fleet has (but its own URL and data folder).</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    private Task<ProxyProcess> StartVictimAsync() =>
        ProxyProcess.StartAsync(new Dictionary<string, string>(_environment)
        {
            ["S3_OVERLAY_PEER_URL"] = Urls[VictimIndex],
            ["S3_OVERLAY_DATA_DIR"] = NewFolder(),
        }, Urls[VictimIndex]);

    /// <summary>Starts the replica a test killed again, on its own address.</summary>
    public async Task RestartVictimAsync()
    {
        await Victim.DisposeAsync();
        Victim = await StartVictimAsync();
        // Until the others hold it as up again, they would fill its objects themselves.
        await EventuallyAsync(async () =>
        {
            foreach (var i in Enumerable.Range(0, Urls.Length))
                if ((await FleetStatusAsync(i)).GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("state").GetString() == "down")) return false;
            return true;
        }, "every replica holds every peer as up");
    }

    /// <summary>What the replicas logged lately (why a peer was skipped), for a test's output.</summary>
    public string RecentLogs => string.Join(System.Environment.NewLine,
        InProcess.Select((replica, i) => $"replica {i}:{System.Environment.NewLine}{replica.RecentLogs}")
            .Append($"replica {VictimIndex}:{System.Environment.NewLine}{Victim.RecentOutput}"));

    /// <summary>Which replica owns the remote object <paramref name="key"/>, computed as every replica computes it.</summary>
    public int OwnerOf(string key)
    {
        var peers = Urls.Select(u => FleetSettings.PeerUrl(u, "test")).ToList();
        var owner = Rendezvous.Owner(peers, Bucket + "/" + key, u => Rendezvous.Hash(u.ToString()));
        return peers.IndexOf(owner);
    }

    /// <summary>A replica's <c>/_overlay/status</c> fleet figures.</summary>
    public async Task<JsonElement> FleetStatusAsync(int index)
    {
        using var http = new HttpClient();
        var status = await http.GetFromJsonAsync<JsonElement>($"{Urls[index]}/_overlay/status?format=json");
        return status.GetProperty("fleet");
    }

    public async Task SeedAsync(string key, long size, int seed) => await Remote.PutPatternAsync(Bucket, key, size, seed);

    public async ValueTask DisposeAsync()
    {
        var teardown = new Teardown("the fleet");
        if (Balancer is not null) await teardown.StepAsync("stop nginx", () => Balancer.DisposeAsync().AsTask());
        foreach (var replica in InProcess) await teardown.StepAsync("stop a replica", () => replica.DisposeAsync().AsTask());
        if (Victim is not null) await teardown.StepAsync("stop the replica process", () => Victim.DisposeAsync().AsTask());
        if (Store is not null) await teardown.StepAsync("stop the store", () => Store.DisposeAsync().AsTask());
        if (Relay is not null) await teardown.StepAsync("stop the relay", () => Relay.DisposeAsync().AsTask());
        Client?.Dispose();
        Remote?.Dispose();
        foreach (var folder in _folders)
            await teardown.StepAsync("delete a data folder", () => Directory.Delete(folder, recursive: true));
        teardown.ThrowIfFailed();
    }
}

/// <summary>
/// The same fleet with Ceph's RADOS Gateway as the shared store (the run's cluster, its tenant
/// user): a production S3 server, whose writes are atomic, under three replicas' concurrent fills.
/// </summary>
public sealed class RgwFleetFixture : FleetFixture
{
    protected override async Task<(S3User? Store, string? Unavailable)> StartSharedStoreAsync()
    {
        var (cluster, unavailable) = await SharedRgw.TryGetAsync();
        return (cluster?.Tenant, unavailable);
    }
}
