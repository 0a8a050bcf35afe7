using S3Overlay.Storage;
using S3Overlay.Storage.S3;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The store contract, run against the S3 store with this project's own server (embedded store)
/// as its S3 server: a server without s3rver's bugs, so every check is on (multipart bookkeeping,
/// trailer checksums added by a copy onto the object, listing order).
/// </summary>
[FunctionalTests]
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

    private protected override int MinimumPartSize => 64 * 1024;

    // ListObjectsV2 returns no user metadata, where preserved validators live.
    private protected override bool ListingsShowPreservedValidators => false;

    // The AWSSDK for .NET that the S3 store uses sends a/./b as a/b (System.Uri removes dot segments), and its
    // requests for keys with a leading '/' fail the signature check; the aws CLI stores all of them on the proxy.
    private protected override bool HoldsDotSegmentKeys => false;

    private protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new S3ObjectStore(
        new S3StoreOptions("local store", new Uri(server.Proxy.Url), AccessKey: ProxyServer.AccessKey, SecretKey: ProxyServer.SecretKey)));

    private protected override Task DisposeStoreAsync()
    {
        ((S3ObjectStore)Store).Dispose();
        return Task.CompletedTask;
    }
}
