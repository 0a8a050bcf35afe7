using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

internal static class LocalBuckets
{
    /// <summary>Creates a local bucket the first time something is filled into it.</summary>
    public static async Task EnsureAsync(IObjectStore store, string bucket, CancellationToken ct)
    {
        if (await store.GetBucketAsync(bucket, ct) is not null) return;
        try
        {
            await store.CreateBucketAsync(bucket, ct);
        }
        catch (S3Exception e) when (e.Error.Status == 409)
        {
            // Another fill (or another replica) created it first.
        }
    }

    public static bool IsMiss(S3Exception e) => e.Error.Status == 404;
}
