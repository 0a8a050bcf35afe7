using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Markers;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>One whiteout: a key deleted through the overlay, hidden from the remote until a write or an admin clears it.</summary>
internal sealed record Whiteout(string Bucket, string Key, DateTimeOffset DeletedAt);

/// <summary>
/// The whiteouts: <see cref="WhiteoutMarker"/> objects at the deleted keys themselves, in the
/// local buckets, so every proxy that shares the local store sees the same ones, and a client's
/// write of the key replaces its whiteout in the write it makes anyway.
/// </summary>
/// <remarks>
/// A bucket the remote does not back has nothing to hide: no whiteout is kept or looked for there
/// (<see cref="RemoteSource.Backs"/>); a delete there deletes. Reads meet markers where they read
/// the key (<see cref="LocalReads"/>, <see cref="FillRecords.LocalCopyAsync"/>) and listings in
/// the local page (<see cref="MergedListing"/>): this index serves deletes and the admin API.
/// </remarks>
internal sealed class WhiteoutIndex([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, RemoteSource remote, LegacyWhiteouts legacy)
{
    /// <summary>Whiteouts in the cache bucket, as an older layout kept them, until they are moved to their keys.</summary>
    public LegacyWhiteouts Legacy => legacy;

    public bool RemoteBacked(string bucket) => remote.Backs(bucket);

    /// <summary>Whether the key has a whiteout (one look at the key, once old whiteouts are moved).</summary>
    public async Task<bool> ExistsAsync(string bucket, string key, CancellationToken ct)
    {
        if (!remote.Backs(bucket)) return false;
        var legacyPending = legacy.Pending;
        return await WhiteoutMarker.AtKeyAsync(local, bucket, key, ct) || await legacy.WhitedOutAsync(bucket, key, legacyPending, ct);
    }

    /// <summary>Writes the whiteout of a key over what it holds (idempotent), in a bucket the remote backs: one write.</summary>
    /// <param name="condition">What the key must hold for the whiteout to replace it (null: whatever it holds).</param>
    /// <returns>The marker written (in a bucket that keeps versions, the version it is).</returns>
    public async Task<ObjectInfo> AddAsync(string bucket, string key, WriteCondition? condition, CancellationToken ct)
    {
        await localBuckets.EnsureAsync(bucket, ct);
        return await WhiteoutMarker.Marker.WriteAsync(local, bucket, key, condition, ct);
    }

    /// <summary>
    /// Removes the whiteout of a key, if there is one: the remote's object (if any) shows again.
    /// A look, then the delete: a client's write that lands in between is deleted with it, a race
    /// only an operator clearing whiteouts while clients write the same keys can lose.
    /// </summary>
    public async Task ClearAsync(string bucket, string key, CancellationToken ct)
    {
        if (!remote.Backs(bucket)) return;
        await legacy.ClearAsync(bucket, key, ct);
        try
        {
            if (await WhiteoutMarker.AtKeyAsync(local, bucket, key, ct)) await local.DeleteObjectAsync(bucket, key, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            // Deleted meanwhile.
        }
    }

    /// <summary>Deletes the bucket's markers (whiteouts, chunk markers) when it holds nothing else (one listing, and a delete each).</summary>
    /// <returns>False, deleting nothing, when it holds an object.</returns>
    public async Task<bool> ClearIfAllAsync(string bucket, CancellationToken ct)
    {
        var markers = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await local.ListObjectsAsync(bucket, new ListRequest("", null, after, 1000), ct);
            foreach (var entry in page.Objects)
                if (MarkerObject.IsAny(entry)) markers.Add(entry.Key);
                else return false;
            if (!page.IsTruncated || page.NextStartAfter is null) break;
            after = page.NextStartAfter;
        }
        foreach (var key in markers) await local.DeleteObjectAsync(bucket, key, ct);
        return true;
    }

    /// <summary>Every whiteout of <paramref name="bucket"/> whose key starts with <paramref name="prefix"/>, in key order: a listing of the bucket, kept to its markers.</summary>
    public async IAsyncEnumerable<Whiteout> ListAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (!remote.Backs(bucket)) yield break;
        string? after = null;
        while (true)
        {
            ListPage page;
            try
            {
                page = await local.ListObjectsAsync(bucket, new ListRequest(prefix, null, after, 1000), ct);
            }
            catch (StorageException e) when (e.IsMissing)
            {
                yield break;
            }
            foreach (var entry in page.Objects)
                if (WhiteoutMarker.IsMarker(entry))
                    yield return new Whiteout(bucket, entry.Key, entry.LastModified);
            if (!page.IsTruncated || page.NextStartAfter is null) yield break;
            after = page.NextStartAfter;
        }
    }
}
