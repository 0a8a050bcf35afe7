using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>
/// The store contract against the embedded store as the server runs it: the data folder's one
/// owner, so its buckets' listings read the listing index rather than walk the folders.
/// </summary>
[UnitTests]
public sealed class IndexedFileSystemStoreContractTests : ObjectStoreContract
{
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("s3overlay-fs-indexed-");
    private FileSystemObjectStore? _store;

    private protected override int MinimumPartSize => 64 * 1024;

    private protected override Task<IObjectStore> CreateStoreAsync()
    {
        _store = new FileSystemObjectStore(_dataDir.FullName, TimeProvider.System, new FileSystemStoreOptions(MinimumPartSize) { Exclusive = true });
        return Task.FromResult<IObjectStore>(_store);
    }

    private protected override Task DisposeStoreAsync()
    {
        _store?.Dispose();
        _dataDir.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
