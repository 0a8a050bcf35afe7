using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage.FileSystem.Index;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The embedded store: a bucket is a directory under the data folder, an object a file at its
/// key's path, so an existing folder can be served as a bucket; a key no file can stand for there
/// (<c>a</c> beside <c>a/b</c>, <c>a//b</c>) is a file in the store's own area (<see cref="EncodedKeys"/>). Metadata lives in sidecars under
/// the reserved folder (<see cref="StoreLayout"/>); every write is a temp file renamed into place.
/// </summary>
internal sealed partial class FileSystemObjectStore : IObjectStore, IReadOnlyStore, IStagingStore, IDisposable
{
    private readonly StoreLayout _layout;
    private readonly TimeProvider _clock;
    private readonly FileSystemStoreOptions _options;
    private readonly KeyLocks _locks = new();
    private readonly KeyLocks _uploadLocks = new();
    private readonly SidecarCache _described = new();
    private readonly BucketFolders _buckets;
    private readonly ConfinedFolder _area;
    /// <summary>Commits hold it shared (they are synchronous under it), DeleteBucket exclusively.</summary>
    private readonly ReaderWriterLockSlim _bucketGate = new();
    /// <summary>Held for the store's life when it is the folder's one owner (<see cref="FileSystemStoreOptions.Exclusive"/>).</summary>
    private readonly FolderLock? _owner;
    private readonly FreeSpace _space;
    private readonly BucketVersioningStates _versioning;
    /// <summary>The keys of the buckets this store created, for listings; null when the store is not the folder's one owner.</summary>
    private readonly ListingIndex? _index;

    public FileSystemObjectStore(string root, TimeProvider clock, FileSystemStoreOptions? options = null, ILogger? log = null)
    {
        _layout = new StoreLayout(root);
        _clock = clock;
        _options = options ?? FileSystemStoreOptions.Default;
        _space = new FreeSpace(_layout.Root);
        if (_options.Exclusive) _owner = TakeFolder(_layout);
        _buckets = new BucketFolders(_layout, _options.FollowLinksOut);
        _versioning = new BucketVersioningStates(_layout);
        Directory.CreateDirectory(_layout.EncodedKeysRoot);
        _area = ConfinedFolder.Open(_layout.EncodedKeysRoot, followLinksOutForReads: false)
            ?? throw new DirectoryNotFoundException($"The store's area {_layout.EncodedKeysRoot} is gone.");
        // The folder's one owner knows no write of its own is under way yet: every temp file is a
        // crashed run's. Otherwise another process may be writing: only old ones are.
        SweepTempFiles(_owner is not null ? null : (_clock.GetUtcNow() - TimeSpan.FromMinutes(5)).UtcDateTime);
        _index = OpenIndex(log ?? NullLogger.Instance);
    }

    private static readonly TimeSpan HolderGoneWait = TimeSpan.FromSeconds(2);

    /// <summary>Locks the data folder for this process (its <c>.s3overlay</c> folder), saying who holds it when another does.</summary>
    private static FolderLock TakeFolder(StoreLayout layout)
    {
        var owner = Path.Join(layout.Reserved, "owner");
        // A holder that has just let go can still be seen for a moment: a child process it was
        // starting keeps a copy of the lock's descriptor until it runs its program. A server
        // started right after another stopped (in the same process, or after a restart) waits that out.
        var giveUp = Environment.TickCount64 + (long)HolderGoneWait.TotalMilliseconds;
        while (true)
        {
            if (FolderLock.TryTake(layout.Reserved) is { } taken)
            {
                File.WriteAllText(owner, $"{Environment.ProcessId}\n");
                return taken;
            }
            if (Environment.TickCount64 >= giveUp) break;
            Thread.Sleep(50);
        }
        string? pid = null;
        try { pid = File.ReadAllText(owner).Trim(); }
        catch (IOException) { }
        throw new DataFolderInUseException(
            $"{layout.Root} is in use by another S3 Overlay server{(string.IsNullOrEmpty(pid) ? "" : $" (process {pid})")}: a data folder has one server at a time. " +
            "To run several over one cache, give them an S3 local store (S3_OVERLAY_LOCAL_ENDPOINT)");
    }

    /// <summary>Lets the folder go: another server may take it.</summary>
    public void Dispose()
    {
        _index?.Dispose();
        _owner?.Dispose();
    }

    /// <summary>The data folder (full path).</summary>
    public string Root => _layout.Root;

    public FileSystemStoreOptions Options => _options;

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var buckets = new DirectoryInfo(_layout.Root).EnumerateDirectories()
            .Where(d => BucketNameRule.IsAddressable(d.Name)) // only what a request can name (never the reserved folder)
            .Select(d => new BucketInfo(d.Name, d.CreationTimeUtc))
            .OrderBy(b => b.Name, Utf8Order.Instance)
            .ToList();
        return Task.FromResult<IReadOnlyList<BucketInfo>>(buckets);
    }

    public Task<BucketInfo?> GetBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = new DirectoryInfo(_layout.BucketDir(bucket));
        return Task.FromResult(dir.Exists ? new BucketInfo(bucket, dir.CreationTimeUtc) : null);
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => _space.WatchAsync(() =>
    {
        var dir = _layout.BucketDir(bucket);
        if (File.Exists(dir)) throw new StorageException(StorageFault.BucketNameTaken, bucket).With("BucketName", bucket);
        if (Directory.Exists(dir)) throw new StorageException(StorageFault.BucketExists, bucket).With("BucketName", bucket);
        IndexNewBucket(bucket);
        Directory.CreateDirectory(dir);
        _buckets.Forget(bucket);
        _versioning.Forget(bucket);
        return Task.CompletedTask;
    });

    public Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        _bucketGate.EnterWriteLock();
        try
        {
            var folder = RequireBucket(bucket);
            if (ListingWalker.HoldsAnyFile(folder, "", anyLink: true) || ListingWalker.HoldsAnyFile(_area, bucket, anyLink: true) || HoldsVersions(bucket))
                throw new StorageException(StorageFault.BucketNotEmpty, bucket).With("BucketName", bucket);
            _buckets.Forget(bucket);
            _versioning.Forget(bucket);
            Directory.Delete(folder.Path, recursive: true); // only empty folders are left
            DeleteTree(_layout.EncodedDir(bucket));
            DeleteTree(_layout.MetaDir(bucket));
            DeleteTree(_layout.UploadsDir(bucket));
            DeleteTree(_layout.VersionsDir(bucket));
            _index?.Drop(bucket);
        }
        finally
        {
            _bucketGate.ExitWriteLock();
        }
        return Task.CompletedTask;
    }

    public Task CheckHealthAsync(CancellationToken ct)
    {
        if (!Directory.Exists(_layout.Temp)) throw new DirectoryNotFoundException($"The data folder {_layout.Root} is gone.");
        return Task.CompletedTask;
    }

    /// <summary>Why the data folder counts as full (the health check's <c>disk</c>); null when there is room.</summary>
    public string? SpaceShortage() => _space.Shortage();

    /// <summary>
    /// At start-up, removes the temp files a crash left (bodies half written, possibly of private
    /// objects). One untouched for a few minutes is no live upload's: a writer keeps writing, and
    /// Kestrel drops a client that stops sending.
    /// </summary>
    /// <summary>Removes the temp files last written before <paramref name="before"/> (all of them when null).</summary>
    private void SweepTempFiles(DateTime? before)
    {
        foreach (var temp in Directory.EnumerateFiles(_layout.Temp))
        {
            try
            {
                if (before is null || File.GetLastWriteTimeUtc(temp) < before) File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <returns>The bucket's folder; NoSuchBucket when there is none.</returns>
    private ConfinedFolder RequireBucket(string bucket) => _buckets.Current(bucket) ?? throw StorageException.BucketNotFound(bucket);

    private static void DeleteTree(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
