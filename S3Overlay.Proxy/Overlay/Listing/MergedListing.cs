using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Chunks;
using Entry = S3Overlay.Overlay.Listing.ListingCursor.Entry;

namespace S3Overlay.Overlay.Listing;

/// <summary>The listing a client of the overlay sees: the local store's keys, the remote's, minus whiteouts.</summary>
/// <param name="degraded">When set, a remote that cannot answer has its part listed from the local store (opt-in).</param>
internal sealed class MergedListing([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource source, WhiteoutIndex whiteouts, DegradedListing? degraded = null)
{
    /// <summary>
    /// Local ∪ remote − whiteouts, in S3 order; local wins on equal keys (its size, ETag, date).
    /// </summary>
    /// <remarks>
    /// A merge of two cursors that both start after the request's StartAfter (the last entry of
    /// the page before, a key or a common prefix): the local listing and the remote's. Whiteouts
    /// are objects of the local listing (<see cref="WhiteoutMarker"/>, known by their size and
    /// ETag), never shown, and hiding the remote's key of their name. Each cursor is read lazily a
    /// page at a time, and the merge keeps reading until the page is full or both sides end, so
    /// whited-out runs never shorten a page. Because a page ends at an entry both sides are
    /// ordered by, resuming after it loses and repeats nothing. One entry more than asked is
    /// collected: it says whether the listing is truly truncated. A local common prefix, in a
    /// bucket the remote backs, is looked into (one local listing more): one that holds only
    /// whiteouts is shown only if the remote holds a key under it that is not whited out.
    /// </remarks>
    public async Task<ListPage> ListAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        var localMissing = false;
        var remoteMissing = false;
        var stale = false;
        var fromLocal = false;
        // The remote's page is asked for first: the embedded store answers its own without a pause
        // (a page of its index, read at once), and the remote's request is on its way meanwhile.
        var remoteSide = new ListingCursor(request, async after =>
        {
            if (await RemotePageAsync(bucket, request with { StartAfter = after }, ct) is { } page)
            {
                stale |= page.Stale;
                fromLocal |= page.Degraded;
                return page;
            }
            remoteMissing = true; // a bucket only the local store has
            return new ListPage([], [], false, null);
        });
        var localSide = new ListingCursor(request, async after =>
        {
            try
            {
                return await local.ListObjectsAsync(bucket, request with { StartAfter = after }, ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
            {
                localMissing = true; // a bucket only the remote has
                return new ListPage([], [], false, null);
            }
        });
        var remoteBacked = whiteouts.RemoteBacked(bucket);

        var page = new List<Entry>(Math.Min(request.MaxKeys, 1000) + 1);
        while (page.Count <= request.MaxKeys)
        {
            var l = await localSide.PeekAsync();
            // The marker of an object cached in chunks stands for the remote's entry of its key: that one is listed.
            if (remoteBacked && l is { IsPrefix: false, Object: { } held } && ChunkMarkers.IsMarker(held))
            {
                localSide.Take();
                continue;
            }
            var r = await remoteSide.PeekAsync();
            if (l is null && r is null) break;
            var order = l is null ? 1 : r is null ? -1 : Utf8Order.Compare(l.Value.Name, r.Value.Name);
            if (order <= 0)
            {
                localSide.Take();
                if (order == 0) remoteSide.Take();
                if (!remoteBacked || await IsVisibleAsync(bucket, l!.Value, remoteHasIt: order == 0, ct)) page.Add(l!.Value);
            }
            else
            {
                remoteSide.Take();
                page.Add(r!.Value);
            }
        }
        if (localMissing && remoteMissing) throw StorageException.BucketNotFound(bucket);

        var truncated = page.Count > request.MaxKeys;
        if (truncated) page.RemoveAt(page.Count - 1);
        return new ListPage(
            page.Where(e => !e.IsPrefix).Select(e => e.Object!).ToList(),
            page.Where(e => e.IsPrefix).Select(e => e.Name).ToList(),
            truncated,
            truncated ? page[^1].Name : null) { Stale = stale, Degraded = fromLocal };
    }

    /// <summary>The remote's page; while it cannot answer and degraded listings are on, what the local store holds of it.</summary>
    private async Task<ListPage?> RemotePageAsync(string bucket, ListRequest request, CancellationToken ct)
    {
        try
        {
            return await source.ListAsync(bucket, request, ct);
        }
        catch (StorageException e) when (degraded is not null && RemoteErrors.IsUnavailable(e) && !ct.IsCancellationRequested)
        {
            return await degraded.ListAsync(bucket, request, ct);
        }
    }

    /// <summary>Whether a local entry is shown: an object that is no whiteout, or a prefix with something visible under it.</summary>
    private async Task<bool> IsVisibleAsync(string bucket, Entry entry, bool remoteHasIt, CancellationToken ct)
    {
        if (!entry.IsPrefix) return !WhiteoutMarker.IsMarker(entry.Object!);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await local.ListObjectsAsync(bucket, new ListRequest(entry.Name, null, after, 1000), ct);
            foreach (var held in page.Objects)
                if (WhiteoutMarker.IsMarker(held)) hidden.Add(held.Key);
                else if (!ChunkMarkers.IsMarker(held)) return true; // a chunk marker's object is the remote's
            if (!page.IsTruncated || page.NextStartAfter is null) break;
            after = page.NextStartAfter;
        }
        return remoteHasIt && await HasVisibleRemoteKeyAsync(bucket, entry.Name, hidden, ct);
    }

    /// <summary>
    /// Whether the remote holds a key under <paramref name="prefix"/> that is not whited out
    /// (<paramref name="hidden"/>): at most that many remote keys plus one are read.
    /// </summary>
    private async Task<bool> HasVisibleRemoteKeyAsync(string bucket, string prefix, HashSet<string> hidden, CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            if (await RemotePageAsync(bucket, new ListRequest(prefix, null, after, Math.Min(hidden.Count + 1, 1000)), ct) is not { } page) return false;
            if (page.Objects.Any(o => !hidden.Contains(o.Key))) return true;
            if (!page.IsTruncated || page.NextStartAfter is null) return false;
            after = page.NextStartAfter;
        }
    }
}
