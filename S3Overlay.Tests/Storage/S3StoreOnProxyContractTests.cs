using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The store contract, run against the S3 store with this project's own server (embedded store)
/// as its S3 server: a server without s3rver's bugs, so every check is on (multipart bookkeeping,
/// trailer checksums added by a copy onto the object, listing order).
/// </summary>
public sealed class S3StoreOnProxyContractTests(S3StoreOnProxyContractTests.Server server)
    : ObjectStoreContract, IClassFixture<S3StoreOnProxyContractTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public ProxyServer Proxy { get; private set; } = null!;
        public async ValueTask InitializeAsync() => Proxy = await ProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["S3_OVERLAY_MULTIPART_MIN_PART_SIZE"] = (64 * 1024).ToString(),
        });
        public async ValueTask DisposeAsync() => await Proxy.DisposeAsync();
    }

    protected override int MinimumPartSize => 64 * 1024;

    // ListObjectsV2 returns no user metadata, where preserved validators live.
    protected override bool ListingsShowPreservedValidators => false;

    // The server behind is the embedded file-system store: a file cannot also be a folder.
    protected override bool HoldsKeyAndKeysBelowIt => false;

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new S3ObjectStore(
        new S3StoreOptions("local store", new Uri(server.Proxy.Url), AccessKey: ProxyServer.AccessKey, SecretKey: ProxyServer.SecretKey)));

    protected override Task DisposeStoreAsync()
    {
        ((S3ObjectStore)Store).Dispose();
        return Task.CompletedTask;
    }
}
