using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

internal static class LocalBuckets
{
    // Per local store, the buckets known to exist: every fill ensures its bucket (and the cache
    // bucket), and asking the store each time was a round trip per fill. A bucket deleted since
    // (here, or by another proxy sharing the store) is forgotten when a write into it fails.
    private static readonly ConditionalWeakTable<IObjectStore, ConcurrentDictionary<string, bool>> Known = new();

    /// <summary>Creates a local bucket the first time something is filled into it.</summary>
    public static async Task EnsureAsync(IObjectStore store, string bucket, CancellationToken ct)
    {
        var known = Known.GetOrCreateValue(store);
        if (known.ContainsKey(bucket)) return;
        if (await store.GetBucketAsync(bucket, ct) is null)
        {
            try
            {
                await store.CreateBucketAsync(bucket, ct);
            }
            catch (StorageException e) when (e.IsConflict)
            {
                // Another fill (or another replica) created it first.
            }
        }
        known[bucket] = true;
    }

    /// <summary>Whether the bucket is known to exist in <paramref name="store"/> (made or seen by an earlier write).</summary>
    public static bool IsKnown(IObjectStore store, string bucket) => Known.TryGetValue(store, out var known) && known.ContainsKey(bucket);

    /// <summary>A write into <paramref name="bucket"/> failed: if the bucket is gone, the next fill creates it again.</summary>
    public static void ForgetIfGone(IObjectStore store, string bucket, Exception e)
    {
        if (e is StorageException s && s.Fault == StorageFault.BucketNotFound) Forget(store, bucket);
    }

    /// <summary>The bucket was deleted: it is no longer known to exist.</summary>
    public static void Forget(IObjectStore store, string bucket)
    {
        if (Known.TryGetValue(store, out var known)) known.TryRemove(bucket, out _);
    }

    public static bool IsMiss(StorageException e) => e.IsMissing;
}
