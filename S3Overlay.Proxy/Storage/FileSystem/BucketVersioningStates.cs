using System.Collections.Concurrent;
using S3Overlay.Storage.Versions;

namespace S3Overlay.Storage.FileSystem;

/// <summary>
/// Each bucket's versioning state, in a small file beside its sidecars (absent: never versioned),
/// read once per bucket and then known in memory: a write in a bucket that never kept versions
/// costs no more than it did before versions existed.
/// </summary>
internal sealed class BucketVersioningStates(StoreLayout layout)
{
    private readonly ConcurrentDictionary<string, BucketVersioning> _known = new(StringComparer.Ordinal);

    public BucketVersioning Of(string bucket) => _known.GetOrAdd(bucket, b =>
        JsonFile.TryRead(PathOf(b), StoreJson.Default.BucketSetting)?.Value is { } text && Enum.TryParse<BucketVersioning>(text, out var state)
            ? state : BucketVersioning.Unversioned);

    public void Set(string bucket, BucketVersioning state)
    {
        JsonFile.Write(PathOf(bucket), new FileSystemObjectStore.BucketSetting(state.ToString()), StoreJson.Default.BucketSetting, layout.NewTempPath());
        _known[bucket] = state;
    }

    /// <summary>The bucket was deleted or created: its state is read again.</summary>
    public void Forget(string bucket) => _known.TryRemove(bucket, out _);

    /// <summary>Beside the sidecars' two-hex-digit folders and the front end's settings, removed with the bucket's metadata.</summary>
    private string PathOf(string bucket) => Path.Join(layout.MetaDir(bucket), "versioning.json");
}
