using S3Overlay.Overlay;
using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The store contract, run against the overlay: the embedded store as its local store, and
/// another (empty) embedded store as its remote, so every answer is the local store's as seen
/// through the overlay's decisions (a read asks the remote first and finds nothing, listings merge
/// with an empty remote, deletes leave whiteouts).
/// </summary>
[UnitTests]
public sealed class OverlayStoreContractTests : ObjectStoreContract
{
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("s3overlay-overlay-");
    private HostlessOverlay? _overlay;

    private protected override int MinimumPartSize => 64 * 1024;

    private protected override Task<IObjectStore> CreateStoreAsync()
    {
        var options = new FileSystemStoreOptions(MinimumPartSize);
        var local = new FileSystemObjectStore(Path.Combine(_dataDir.FullName, "local"), TimeProvider.System, options);
        var remote = new FileSystemObjectStore(Path.Combine(_dataDir.FullName, "remote"), TimeProvider.System, options);
        var settings = new OverlaySettings(BucketMapping.Identity, CacheEnabled: true, ChunkThreshold: 4 * 1024 * 1024, ChunkSize: 1024 * 1024,
            "s3-overlay-cache", TimeSpan.FromSeconds(5), RevalidateAfter: null, Path.Combine(_dataDir.FullName, "spill"));
        _overlay = HostlessOverlay.Create(local, staging: local, remote, settings, TimeProvider.System);
        return Task.FromResult<IObjectStore>(_overlay.Store);
    }

    private protected override Task DisposeStoreAsync()
    {
        _overlay?.Dispose();
        _dataDir.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
