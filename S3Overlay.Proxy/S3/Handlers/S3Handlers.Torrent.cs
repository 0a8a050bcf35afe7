using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.S3.Handlers;

internal sealed partial class S3Handlers
{
    /// <summary>
    /// GET <c>?torrent</c>: no object here has a torrent, so the answer is S3's for an object
    /// without one, 404 NoSuchKey (after the usual NoSuchBucket / NoSuchKey of a missing object).
    /// </summary>
    public async Task GetObjectTorrent(S3Request r)
    {
        await store.HeadObjectAsync(r.Bucket, r.Key, ReadConditions.None, r.Aborted);
        throw S3Exception.NoSuchKey(r.Key);
    }
}
