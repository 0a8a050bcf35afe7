using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using S3Overlay.Overlay;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Which store the overlay keeps its local copies in: its own, s3rver, or Ceph's RADOS Gateway (<see cref="SharedRgw"/>).</summary>
public enum LocalStoreKind { Embedded, S3, Rgw }

/// <summary>Which S3 server the overlay reads through to: s3rver (a test double), or Ceph's RADOS Gateway, a production one.</summary>
public enum RemoteKind { S3rver, Rgw }

/// <summary>
/// The remote S3 server (s3rver) and, for <see cref="LocalStoreKind.S3"/>, a second s3rver as the
/// local store: those of the whole test run (<see cref="SharedS3rver"/>), and the run's RGW cluster
/// for either side (<see cref="SharedRgw"/>). Each test uses buckets of its own.
/// </summary>
public sealed class OverlayServers : IAsyncLifetime
{
    public S3rverProcess Remote { get; private set; } = null!;
    public AmazonS3Client RemoteClient { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Remote = await SharedS3rver.Remote.GetAsync();
        RemoteClient = S3Clients.Create(Remote.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey, defaults: false);
    }

    public Task<S3rverProcess> LocalS3Async() => SharedS3rver.Local.GetAsync();

    /// <summary>The remote's user: the shared s3rver's, or the run's RGW cluster's main user (skips the test where RGW cannot run).</summary>
    public async Task<S3User> RemoteUserAsync(RemoteKind kind) => kind == RemoteKind.Rgw
        ? (await SharedRgw.GetAsync()).Main
        : new S3User(Remote.Url, S3rverProcess.AccessKey, S3rverProcess.SecretKey);

    /// <summary>A client of the remote: the shared s3rver's, or the RGW cluster's main user's (one each for the whole run).</summary>
    public async Task<AmazonS3Client> RemoteClientAsync(RemoteKind kind) => kind == RemoteKind.Rgw ? (await SharedRgw.GetAsync()).MainClient : RemoteClient;

    /// <summary>
    /// The local store's user: s3rver's, or RGW's tenant user, whose buckets are apart from the
    /// main user's (a remote on the same cluster has buckets of the same names); for a proxy with
    /// <paramref name="settings"/> that scan lifecycle rules, a tenant of its own (<see cref="SharedRgw.LocalUserAsync"/>).
    /// </summary>
    public async Task<S3User> LocalUserAsync(LocalStoreKind kind, IEnumerable<KeyValuePair<string, string?>>? settings = null) => kind == LocalStoreKind.Rgw
        ? await SharedRgw.LocalUserAsync(settings)
        : (await LocalS3Async()).User;

    public ValueTask DisposeAsync()
    {
        RemoteClient.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One test's world: a counting relay in front of the shared remote, and the real proxy over
/// loopback HTTP with the remote settings pointing at the relay.
/// </summary>
public sealed class OverlayEnvironment : IAsyncDisposable
{
    public const long MiB = 1024 * 1024;

    private readonly IDictionary<string, string?> _settings;
    private readonly string _dataDir;
    private readonly Action<WebApplicationBuilder>? _configure;

    private OverlayEnvironment(OverlayServers servers, AmazonS3Client remote, CountingRelay relay, ProxyServer proxy, string bucket,
        IDictionary<string, string?> settings, string dataDir, Action<WebApplicationBuilder>? configure, CountingRelay? localRelay)
    {
        LocalRelay = localRelay;
        _configure = configure;
        Servers = servers;
        Remote = remote;
        Relay = relay;
        Proxy = proxy;
        Bucket = bucket;
        Client = proxy.CreateClient(defaults: false);
        _settings = settings;
        _dataDir = dataDir;
    }

    public OverlayServers Servers { get; }

    /// <summary>The embedded store's data folder (its reserved folder holds the files being written).</summary>
    public string DataDir => _dataDir;
    public CountingRelay Relay { get; }

    /// <summary>With an S3 local store started with <c>countLocal</c>: the relay in front of it, counting what the overlay asks of its local store.</summary>
    public CountingRelay? LocalRelay { get; }
    public ProxyServer Proxy { get; private set; }
    public AmazonS3Client Client { get; private set; }

    /// <summary>This test's bucket: the same name locally and remotely (unmapped).</summary>
    public string Bucket { get; }

    /// <summary>A client of the remote itself (not through the relay): to seed it and see what it holds.</summary>
    public AmazonS3Client Remote { get; }

    /// <summary>One part of the overlay in the running proxy (its <c>CacheIndex</c>, <c>WhiteoutIndex</c>, ...): the very one the proxy uses.</summary>
    public T Part<T>() where T : notnull => Proxy.Services.GetRequiredService<T>();

    /// <summary>The overlay's local store itself, to see what it holds (and what it does not).</summary>
    internal IObjectStore LocalStore => Proxy.Services.GetRequiredKeyedService<IObjectStore>(OverlayServices.LocalStore);

    /// <summary>
    /// Completes when the proxy runs no background work: every fill stored (or dropped), every
    /// read-ahead and eviction over. A client has its last byte before the fill has stored it.
    /// </summary>
    public Task FillsIdleAsync() => Part<BackgroundWork>().WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

    /// <param name="dataDir">The embedded store's data folder (a small disk's); a new temp folder when null.</param>
    /// <param name="configure">Replaces services (a <see cref="ManualClock"/>, ...) in the proxy, and in each restart of it.</param>
    /// <param name="remoteBucket">
    /// A remote bucket seeded once for several tests, which this test's bucket reads through to
    /// (S3_OVERLAY_BUCKET_MAPPING); a new remote bucket of this test's bucket's name when null.
    /// </param>
    /// <param name="remoteKind">The remote S3 server: the shared s3rver, or the run's RGW cluster (skips the test where RGW cannot run).</param>
    public static async Task<OverlayEnvironment> StartAsync(OverlayServers servers, LocalStoreKind kind, IDictionary<string, string?>? settings = null, string? dataDir = null,
        Action<WebApplicationBuilder>? configure = null, string? remoteBucket = null, RemoteKind remoteKind = RemoteKind.S3rver, bool countLocal = false)
    {
        var bucket = "t" + Guid.NewGuid().ToString("N")[..12];
        var remoteUser = await servers.RemoteUserAsync(remoteKind);
        var remote = await servers.RemoteClientAsync(remoteKind);
        if (remoteBucket is null) await remote.PutBucketAsync(bucket);
        var relay = await CountingRelay.StartAsync(remoteUser.Url);
        var all = new Dictionary<string, string?>
        {
            ["S3_OVERLAY_REMOTE_ENDPOINT"] = relay.Url,
            ["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = remoteUser.AccessKey,
            ["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = remoteUser.SecretKey,
            ["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path",
            ["S3_OVERLAY_CACHE_ENABLED"] = "true",
            ["S3_OVERLAY_CACHE_BUCKET"] = "cache-" + bucket,
            ["S3_OVERLAY_REMOTE_BUCKETS"] = remoteBucket ?? bucket,
            ["S3_OVERLAY_SPILL_DIR"] = Path.Combine(Path.GetTempPath(), "s3overlay-test-spill"),
        };
        CountingRelay? localRelay = null;
        if (kind != LocalStoreKind.Embedded)
        {
            var local = await servers.LocalUserAsync(kind, settings);
            if (countLocal) localRelay = await CountingRelay.StartAsync(local.Url);
            foreach (var (name, value) in (localRelay is null ? local : local with { Url = localRelay.Url }).AsLocalStore()) all[name] = value;
        }
        if (remoteBucket is not null) all["S3_OVERLAY_BUCKET_MAPPING"] = $"{bucket}:{remoteBucket}";
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        dataDir ??= Directory.CreateTempSubdirectory("s3overlay-").FullName;
        try
        {
            return new OverlayEnvironment(servers, remote, relay, await ProxyServer.StartAsync(all, configure, dataDir), bucket, all, dataDir, configure, localRelay);
        }
        catch
        {
            await relay.DisposeAsync();
            if (localRelay is not null) await localRelay.DisposeAsync();
            DeleteDataDir(dataDir);
            throw;
        }
    }

    /// <summary>Stops the proxy and starts a new one with the same settings on the same data folder (a restart).</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        Proxy = await ProxyServer.StartAsync(_settings, _configure, _dataDir);
        Client = Proxy.CreateClient(defaults: false);
    }

    private static void DeleteDataDir(string dataDir)
    {
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Another proxy with this one's settings (but <paramref name="overrides"/>): the same remote (through the same relay) and the same local store.</summary>
    public Task<ProxyServer> StartAnotherProxyAsync(params (string Name, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (name, value) in overrides) settings[name] = value;
        return ProxyServer.StartAsync(settings);
    }

    /// <summary>Puts a pattern object on the remote directly (not through the relay, so it is not counted).</summary>
    public Task<PutObjectResponse> SeedRemoteAsync(string key, long length, int seed, Action<PutObjectRequest>? customize = null) =>
        Remote.PutPatternAsync(Bucket, key, length, seed, customize);

    /// <summary>GETs through the proxy and checks the body against the pattern; returns the response for its headers.</summary>
    public async Task<GetObjectResponse> GetAndCheckAsync(string key, int seed, long size, long? first = null, long? last = null)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (first is not null) request.ByteRange = new Amazon.S3.Model.ByteRange(first.Value, last!.Value);
        var response = await Client.GetObjectAsync(request);
        var offset = first ?? 0;
        var length = first is null ? size : last!.Value - first.Value + 1;
        await using (response.ResponseStream)
            Assert.Null(await PatternData.MismatchAsync(response.ResponseStream, offset, length, seed));
        return response;
    }

    /// <summary>Which of <paramref name="seeds"/> (versions of an object) one small ranged GET through the proxy answered; null when none.</summary>
    public async Task<int?> VersionServedAsync(string key, long first, long last, params int[] seeds)
    {
        using var response = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key, ByteRange = new Amazon.S3.Model.ByteRange(first, last) });
        var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        foreach (var seed in seeds)
        {
            body.Position = 0;
            if (await PatternData.MismatchAsync(body, first, last - first + 1, seed) is null) return seed;
        }
        return null;
    }

    /// <summary>Whether the local store holds the key as an object a client can see.</summary>
    public async Task<bool> IsStoredLocallyAsync(string key)
    {
        try
        {
            // A marker (a whiteout, a chunked object's) is an object of the local store, but no copy.
            return !S3Overlay.Overlay.Markers.MarkerObject.IsAny(await LocalStore.HeadObjectAsync(Bucket, key, ReadConditions.None, default));
        }
        catch (StorageException e) when (e.Error.Status == 404)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Relay.DisposeAsync();
        if (LocalRelay is not null) await LocalRelay.DisposeAsync();
        DeleteDataDir(_dataDir);
    }
}
