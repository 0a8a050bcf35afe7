using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>
/// Whiteouts as an older layout kept them: empty objects <c>whiteouts/BUCKET/KEY␠</c> (a trailing
/// space) in the cache bucket. A local store written that way keeps its deletions: at start they
/// are moved, in the background, to markers at their keys (<see cref="WhiteoutMarker"/>), and
/// until that is done every read that would ask the remote looks for one here too.
/// </summary>
/// <remarks>
/// The move is idempotent and safe to cut short anywhere: a marker is written (only where the key
/// holds nothing: a key written again since its delete is the client's, and its whiteout was
/// hidden behind it) before the old whiteout is deleted, so a crash leaves one or both, never
/// neither. Several proxies sharing the store may move the same ones at once.
/// </remarks>
internal sealed class LegacyWhiteouts([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, OverlaySettings settings, RemoteSource remote, ILogger<LegacyWhiteouts> logger)
{
    public const string Prefix = "whiteouts/";
    private const string Suffix = " ";

    private volatile bool _moved;

    public static string MarkerOf(string bucket, string key) => $"{Prefix}{bucket}/{key}{Suffix}";

    /// <summary>Whether old whiteouts may still wait to be moved: read before a look at the key, for <see cref="WhitedOutAsync"/>.</summary>
    public bool Pending => !_moved;

    /// <summary>Whether an old whiteout of the key may still wait to be moved (no request once all are moved).</summary>
    public async Task<bool> ExistsAsync(string bucket, string key, CancellationToken ct)
    {
        if (_moved || !remote.Backs(bucket)) return false;
        try
        {
            return await local.FindObjectAsync(settings.CacheBucket, MarkerOf(bucket, key), ct) is not null;
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return false;
        }
    }

    public async Task ClearAsync(string bucket, string key, CancellationToken ct)
    {
        if (_moved) return;
        try
        {
            await local.DeleteObjectAsync(settings.CacheBucket, MarkerOf(bucket, key), ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
        }
    }

    /// <summary>
    /// Whether a key found holding no whiteout by a look begun when old whiteouts were still to be
    /// moved (<paramref name="pendingBefore"/>, <see cref="Pending"/>) was deleted all the same: its
    /// old whiteout is here, or was moved since (its marker written at the key, then the old one
    /// deleted), into neither place the caller looked; the key is then looked at again once the old
    /// one is found gone.
    /// </summary>
    public async Task<bool> WhitedOutAsync(string bucket, string key, bool pendingBefore, CancellationToken ct) =>
        await ExistsAsync(bucket, key, ct) || pendingBefore && remote.Backs(bucket) && await WhiteoutMarker.AtKeyAsync(local, bucket, key, ct);

    /// <summary>
    /// A key deleted here is gone, whatever the remote holds: nothing is asked of it (an old
    /// whiteout answers NoSuchKey). Called once the key was not found locally, by a look begun
    /// when <paramref name="pendingBefore"/> was <see cref="Pending"/> (<see cref="WhitedOutAsync"/>).
    /// </summary>
    /// <param name="record">The key's fill record being read, looked up beside an old whiteout while any wait to be moved.</param>
    /// <returns>The record read, when one was given.</returns>
    public async Task<RecordSeen?> RefuseAsync(string bucket, string key, bool pendingBefore, Task<RecordSeen>? record, CancellationToken ct)
    {
        var whitedOut = WhitedOutAsync(bucket, key, pendingBefore, ct);
        await (record is null ? whitedOut : Task.WhenAll(whitedOut, record));
        if (await whitedOut) throw StorageException.ObjectNotFound(key);
        return record is null ? null : await record;
    }

    /// <summary>Moves the old whiteouts (<see cref="MoveAsync"/>), trying again while the local store cannot answer.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await MoveAsync(stopping);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning("Could not move the whiteouts of the cache bucket to their keys yet ({Reason}); trying again", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(10), stopping);
            }
        }
    }

    /// <summary>Moves every old whiteout to its key; logs how many. Looked for once: none is written any more.</summary>
    public async Task MoveAsync(CancellationToken ct)
    {
        var moved = 0;
        string? after = null;
        while (true)
        {
            ListPage page;
            try
            {
                page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(Prefix, null, after, 1000), ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
            {
                break; // no cache bucket: nothing was ever deleted
            }
            foreach (var old in page.Objects)
                if (Parse(old.Key) is { } named)
                {
                    await MoveOneAsync(old.Key, named.Bucket, named.Key, ct);
                    moved++;
                }
            if (!page.IsTruncated || page.NextStartAfter is null) break;
            after = page.NextStartAfter;
        }
        _moved = true;
        if (moved > 0) logger.LogInformation("Moved {Count} whiteouts from the cache bucket to markers at their keys", moved);
    }

    private async Task MoveOneAsync(string oldKey, string bucket, string key, CancellationToken ct)
    {
        if (remote.Backs(bucket) && await local.FindObjectAsync(bucket, key, ct) is null)
        {
            try
            {
                await localBuckets.EnsureAsync(bucket, ct);
                await WhiteoutMarker.Marker.WriteAsync(local, bucket, key, new WriteCondition(OnlyIfAbsent: true), ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed)
            {
                // Written by a client meanwhile: the key is theirs.
            }
        }
        await local.DeleteObjectAsync(settings.CacheBucket, oldKey, ct);
    }

    /// <summary>The bucket and key an old whiteout stands for (bucket names hold no slash).</summary>
    private static (string Bucket, string Key)? Parse(string oldKey)
    {
        if (!oldKey.EndsWith(Suffix, StringComparison.Ordinal)) return null;
        var path = oldKey[Prefix.Length..^Suffix.Length];
        var slash = path.IndexOf('/');
        return slash > 0 && slash < path.Length - 1 ? (path[..slash], path[(slash + 1)..]) : null;
    }
}
