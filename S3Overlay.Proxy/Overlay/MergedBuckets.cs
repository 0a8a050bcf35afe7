using S3Overlay.Overlay.Remote;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>
/// The buckets clients see through the overlay: the local store's, but the cache bucket (the
/// overlay's own), and those only the remote has, which are readable through the overlay and so exist.
/// </summary>
internal sealed class MergedBuckets([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource remote, OverlaySettings settings)
{
    public async Task<IReadOnlyList<BucketInfo>> ListAsync(CancellationToken ct) =>
        (await local.ListBucketsAsync(ct)).Where(b => b.Name != settings.CacheBucket).ToList();

    public async Task<BucketInfo?> GetAsync(string bucket, CancellationToken ct) =>
        bucket == settings.CacheBucket ? null : await local.GetBucketAsync(bucket, ct) ?? await remote.GetBucketAsync(bucket, ct);
}
