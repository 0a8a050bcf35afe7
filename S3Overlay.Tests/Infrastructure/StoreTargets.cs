using Amazon.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Infrastructure;

/// <summary>Which store the proxy under test serves from.</summary>
public enum StoreKind
{
    /// <summary>The embedded file-system store.</summary>
    Embedded,
    /// <summary>An S3 server (s3rver) as the local store.</summary>
    S3Local,
    /// <summary>Ceph's RADOS Gateway, a production S3 server, as the local store (<see cref="SharedRgw"/>).</summary>
    RgwLocal,
    /// <summary>The overlay: the embedded store in front of an s3rver remote.</summary>
    Overlay,
}

/// <summary>
/// One proxy over one kind of store, for a test class that runs once per kind (the same tests,
/// every store). The servers start with the first test and stop with the class.
/// </summary>
public sealed class StoreTargets : IAsyncLifetime
{
    private StoreKind? _kind;
    private int _buckets;

    public ProxyServer Proxy { get; private set; } = null!;
    public AmazonS3Client Client { get; private set; } = null!;
    /// <summary>The S3 server behind the proxy (the local store, or the overlay's remote), talked to directly.</summary>
    public AmazonS3Client? Backend { get; private set; }
    public StoreKind Kind => _kind ?? throw new InvalidOperationException("Not started.");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <param name="extra">Settings of the test class's own (a shorter lifecycle day), added to the store's.</param>
    public async Task StartAsync(StoreKind kind, IReadOnlyDictionary<string, string?>? extra = null)
    {
        if (_kind is not null) return;
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>());
        if (kind == StoreKind.RgwLocal)
        {
            // The run's shared cluster, its tenant user's buckets, or a tenant of its own where lifecycle rules are scanned (SharedRgw): skips the test where RGW cannot run.
            var local = await SharedRgw.LocalUserAsync(settings);
            Backend = local.CreateClient();
            foreach (var (name, value) in local.AsLocalStore()) settings[name] = value;
        }
        else if (kind != StoreKind.Embedded)
        {
            // The run's shared s3rvers (SharedS3rver): every test makes buckets of its own.
            var s3rver = await (kind == StoreKind.S3Local ? SharedS3rver.Local : SharedS3rver.Remote).GetAsync();
            Backend = s3rver.User.CreateClient();
            if (kind == StoreKind.S3Local)
            {
                foreach (var (name, value) in s3rver.User.AsLocalStore()) settings[name] = value;
            }
            else
            {
                settings["S3_OVERLAY_REMOTE_ENDPOINT"] = s3rver.Url;
                settings["S3_OVERLAY_REMOTE_ACCESS_KEY_ID"] = S3rverProcess.AccessKey;
                settings["S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey;
                settings["S3_OVERLAY_REMOTE_ADDRESSING_STYLE"] = "path";
                settings["S3_OVERLAY_CACHE_ENABLED"] = "true";
                // Every test makes buckets of its own, each backed by the remote bucket of the same name.
                settings["S3_OVERLAY_REMOTE_BUCKETS"] = "*";
            }
        }
        Proxy = await ProxyServer.StartAsync(settings);
        Client = Proxy.CreateClient(defaults: false);
        // Only once started: a start skipped (RGW cannot run) is skipped again by every test of the class.
        _kind = kind;
    }

    /// <summary>A fresh bucket through the proxy; for the overlay, the remote gets one of the same name.</summary>
    public async Task<string> NewBucketAsync()
    {
        var name = $"t{Interlocked.Increment(ref _buckets)}-{Guid.NewGuid():N}"[..24];
        if (Kind == StoreKind.Overlay) await Backend!.PutBucketAsync(name);
        await Client.PutBucketAsync(name);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        var teardown = new Teardown($"the {_kind} store's servers");
        await teardown.StepAsync("dispose the SDK clients", () =>
        {
            Client?.Dispose();
            Backend?.Dispose();
        });
        if (Proxy is not null) await teardown.StepAsync("stop the proxy", () => Proxy.DisposeAsync().AsTask());
        teardown.ThrowIfFailed();
    }
}

/// <summary>A test class that runs against every <see cref="StoreKind"/>: derive once per kind.</summary>
public abstract class EveryStoreTests(StoreTargets target) : IClassFixture<StoreTargets>, IAsyncLifetime
{
    protected abstract StoreKind Kind { get; }
    protected StoreTargets Target => target;
    protected AmazonS3Client Client => target.Client;

    /// <summary>Settings the class's proxy starts with besides its store's.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public async ValueTask InitializeAsync() => await target.StartAsync(Kind, Settings);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
