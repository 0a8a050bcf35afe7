using System.Collections.Concurrent;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>
/// The buckets known to exist in the overlay's local store: every fill ensures its bucket (and the
/// cache bucket), and asking the store each time was a round trip per fill. A bucket deleted since
/// (here, or by another proxy sharing the store) is forgotten when a write into it fails.
/// </summary>
/// <remarks>One per local store: every part that writes into the store shares it.</remarks>
internal sealed class LocalBuckets([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local)
{
    private readonly ConcurrentDictionary<string, bool> _known = new();

    /// <summary>Creates a local bucket the first time something is filled into it.</summary>
    public async Task EnsureAsync(string bucket, CancellationToken ct)
    {
        if (_known.ContainsKey(bucket)) return;
        if (await local.GetBucketAsync(bucket, ct) is null)
        {
            try
            {
                await local.CreateBucketAsync(bucket, ct);
            }
            catch (StorageException e) when (e.IsConflict)
            {
                // Another fill (or another replica) created it first.
            }
        }
        _known[bucket] = true;
    }

    /// <summary>Whether the bucket is known to exist (made or seen by an earlier write).</summary>
    public bool IsKnown(string bucket) => _known.ContainsKey(bucket);

    /// <summary>A write into <paramref name="bucket"/> failed: if the bucket is gone, the next fill creates it again.</summary>
    public void ForgetIfGone(string bucket, Exception e)
    {
        if (e is StorageException s && s.Fault == StorageFault.BucketNotFound) Forget(bucket);
    }

    /// <summary>The bucket was deleted: it is no longer known to exist.</summary>
    public void Forget(string bucket) => _known.TryRemove(bucket, out _);

    public static bool IsMiss(StorageException e) => e.IsMissing;
}
