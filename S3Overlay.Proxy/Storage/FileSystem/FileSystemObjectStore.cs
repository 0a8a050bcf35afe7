using S3Overlay.S3;
using S3Overlay.S3.Errors;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// The embedded store: a bucket is a directory under the data folder, an object a file at its
/// key's path, so an existing folder can be served as a bucket; a key no file can stand for there
/// (<c>a</c> beside <c>a/b</c>, <c>a//b</c>) is a file in the store's own area (<see cref="EncodedKeys"/>). Metadata lives in sidecars under
/// the reserved folder (<see cref="StoreLayout"/>); every write is a temp file renamed into place.
/// </summary>
public sealed partial class FileSystemObjectStore : IObjectStore, IStagingStore
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

    public FileSystemObjectStore(string root, TimeProvider clock, FileSystemStoreOptions? options = null)
    {
        _layout = new StoreLayout(root);
        _clock = clock;
        _options = options ?? FileSystemStoreOptions.Default;
        _buckets = new BucketFolders(_layout, _options.FollowLinksOut);
        Directory.CreateDirectory(_layout.EncodedKeysRoot);
        _area = ConfinedFolder.Open(_layout.EncodedKeysRoot, followLinksOutForReads: false)
            ?? throw new DirectoryNotFoundException($"The store's area {_layout.EncodedKeysRoot} is gone.");
        SweepStaleTempFiles();
    }

    /// <summary>The data folder (full path).</summary>
    public string Root => _layout.Root;

    public FileSystemStoreOptions Options => _options;

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var buckets = new DirectoryInfo(_layout.Root).EnumerateDirectories()
            .Where(d => BucketNames.IsAddressable(d.Name)) // only what a request can name (never the reserved folder)
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

    public Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = _layout.BucketDir(bucket);
        if (File.Exists(dir)) throw new S3Exception(S3Error.BucketAlreadyExists, bucket).With("BucketName", bucket);
        if (Directory.Exists(dir)) throw new S3Exception(S3Error.BucketAlreadyOwnedByYou, bucket).With("BucketName", bucket);
        Directory.CreateDirectory(dir);
        _buckets.Forget(bucket);
        return Task.CompletedTask;
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        _bucketGate.EnterWriteLock();
        try
        {
            var folder = RequireBucket(bucket);
            if (ListingWalker.HoldsAnyFile(folder, "", anyLink: true) || ListingWalker.HoldsAnyFile(_area, bucket, anyLink: true))
                throw new S3Exception(S3Error.BucketNotEmpty, bucket).With("BucketName", bucket);
            _buckets.Forget(bucket);
            Directory.Delete(folder.Path, recursive: true); // only empty folders are left
            DeleteTree(_layout.EncodedDir(bucket));
            DeleteTree(_layout.MetaDir(bucket));
            DeleteTree(_layout.UploadsDir(bucket));
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

    /// <summary>
    /// At start-up, removes the temp files a crash left (bodies half written, possibly of private
    /// objects). One untouched for a few minutes is no live upload's: a writer keeps writing, and
    /// Kestrel drops a client that stops sending.
    /// </summary>
    private void SweepStaleTempFiles()
    {
        var cutoff = (_clock.GetUtcNow() - TimeSpan.FromMinutes(5)).UtcDateTime;
        foreach (var temp in Directory.EnumerateFiles(_layout.Temp))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(temp) < cutoff) File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <returns>The bucket's folder; NoSuchBucket when there is none.</returns>
    private ConfinedFolder RequireBucket(string bucket) => _buckets.Current(bucket) ?? throw S3Exception.NoSuchBucket(bucket);

    private static void DeleteTree(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
