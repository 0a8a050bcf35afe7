using S3Overlay.Storage;
using S3Overlay.Storage.FileSystem;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Storage;

/// <summary>The store contract, run against the embedded file-system store in a temp folder.</summary>
[UnitTests]
public sealed class FileSystemStoreContractTests : ObjectStoreContract
{
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("s3overlay-fs-");

    private protected override int MinimumPartSize => 64 * 1024;

    private protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(
        new FileSystemObjectStore(_dataDir.FullName, TimeProvider.System, new FileSystemStoreOptions(MinimumPartSize)));

    private protected override Task DisposeStoreAsync()
    {
        _dataDir.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
