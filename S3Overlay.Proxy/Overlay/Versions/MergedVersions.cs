using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Overlay.Listing;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Versions;

/// <summary>
/// ListObjectVersions of a bucket the remote backs whose local bucket keeps versions: the local
/// store's versions, its whiteouts shown as the delete markers they are, and the remote's current
/// objects as null versions, keys in S3's order.
/// </summary>
/// <remarks>
/// Each key's local versions come first, newest first, then the remote's object: it was there
/// before anything was written here. It is left out where the local store has a null version of
/// its own (that one took its place), and it is the latest only when no local version is (a read
/// of the key then answers with it). A delete marker of the local store's own is not listed: the
/// overlay never makes one for a client (a delete is a whiteout), and reads look through it to the
/// remote, which the listing then shows as the latest. A page that ends on a remote null version
/// ends at its key, without a version-id marker: it is the key's last entry, so the next page
/// starts after the key, and a version-id marker of <c>null</c> is always the local store's.
/// A key whose null version was deleted (<see cref="DeletedNullVersions"/>) lists no remote
/// object: its marker is among the key's local versions (and not listed), or its record in the
/// listing of records read beside the page.
/// </remarks>
/// <param name="settings">With <see cref="OverlaySettings.MergeListings"/> false (S3_OVERLAY_MERGE_LISTINGS=false): the local store's versions only, as ListObjects then lists.</param>
internal sealed class MergedVersions([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource source, OverlaySettings settings, DeletedNullVersions deletedNulls)
{
    private readonly record struct Listed(string Name, ObjectVersion? Version, bool Remote);

    /// <summary>What the merge knows of the key whose entries it is emitting.</summary>
    private sealed record KeyState(string Key, bool LocalCurrent, bool LocalNull, bool NullDeleted = false);

    /// <summary>The null versions deleted by their id, which this listing leaves out and reads of them refuse.</summary>
    public DeletedNullVersions DeletedNulls => deletedNulls;

    public async Task<VersionsPage> ListAsync(string bucket, VersionsRequest request, CancellationToken ct)
    {
        var listing = new ListRequest(request.Prefix, request.Delimiter, request.KeyMarker, request.MaxKeys);
        var localSide = new VersionCursor(request, (key, version) =>
            local.ListObjectVersionsAsync(bucket, request with { KeyMarker = key, VersionIdMarker = version }, ct));
        var remoteMissing = false;
        var remoteSide = new ListingCursor(listing, async after =>
        {
            if (settings.MergeListings && await source.ListAsync(bucket, listing with { StartAfter = after }, ct) is { } page) return page;
            remoteMissing = true;
            return new ListPage([], [], false, null);
        });
        // A page that ended inside a key (at one of its local versions) left the remote's object of the key to come.
        var (state, carried) = await ResumeInsideKeyAsync(bucket, request, listing, ct);
        var deleted = settings.MergeListings ? deletedNulls.Listing(bucket, request.Prefix, request.KeyMarker, ct) : null;

        var page = new List<Listed>(Math.Min(request.MaxKeys, 1000) + 1);
        while (page.Count <= request.MaxKeys)
        {
            var l = await localSide.PeekAsync();
            var r = carried ?? await remoteSide.PeekAsync();
            if (l is null && r is null) break;
            var order = l is null ? 1 : r is null ? -1 : Utf8Order.Compare(l.Value.Name, r.Value.Name);
            if (order < 0 || order == 0 && !l!.Value.IsPrefix)
            {
                localSide.Take();
                var version = l!.Value.Version;
                if (version is null)
                {
                    page.Add(new Listed(l.Value.Name, null, Remote: false));
                    continue;
                }
                var known = state?.Key == l.Value.Name ? state : new KeyState(l.Value.Name, false, false);
                if (WhiteoutMarker.IsNullVersionDeleted(version.Info))
                {
                    state = known with { NullDeleted = true };
                    continue;
                }
                // The local store's own delete marker (see the remarks), or a chunk marker left from before the bucket kept versions: no version of the key.
                if (version.IsDeleteMarker || Chunks.ChunkMarkers.IsMarker(version.Info))
                {
                    state = known;
                    continue;
                }
                state = known with
                {
                    LocalCurrent = known.LocalCurrent || version.IsLatest,
                    LocalNull = known.LocalNull || version.VersionId == VersionIds.Null,
                };
                page.Add(new Listed(l.Value.Name, WhiteoutMarker.IsMarker(version.Info) ? version with { IsDeleteMarker = true } : version, Remote: false));
                continue;
            }
            // The remote's entry: its key's local versions (if any) are behind.
            if (carried is not null) carried = null;
            else remoteSide.Take();
            if (order == 0) localSide.Take(); // one common prefix on both sides
            var entry = r!.Value;
            if (entry.IsPrefix)
            {
                page.Add(new Listed(entry.Name, null, Remote: true));
                continue;
            }
            var stacked = state?.Key == entry.Name ? state : null;
            if (stacked is { LocalNull: true } or { NullDeleted: true } || await deleted!.ContainsAsync(entry.Name)) continue;
            page.Add(new Listed(entry.Name, new ObjectVersion(entry.Object! with { VersionId = VersionIds.Null }, VersionIds.Null,
                IsLatest: stacked is not { LocalCurrent: true }, IsDeleteMarker: false), Remote: true));
        }
        if (remoteMissing && page.Count == 0 && await local.GetBucketAsync(bucket, ct) is null) throw StorageException.BucketNotFound(bucket);

        var truncated = page.Count > request.MaxKeys;
        if (truncated) page.RemoveAt(page.Count - 1);
        var last = truncated ? page[^1] : default;
        return new VersionsPage(
            page.Where(e => e.Version is not null).Select(e => e.Version!).ToList(),
            page.Where(e => e.Version is null).Select(e => e.Name).ToList(),
            truncated,
            truncated ? last.Name : null,
            truncated && last.Version is { } v && !last.Remote ? v.VersionId : null);
    }

    /// <summary>
    /// Resuming after a local version of a key (not after a null one: that is never the remote's):
    /// the remote's object of that key, still to be listed after the key's remaining local
    /// versions, and what the earlier pages knew of the key. Five looks at once, only on such a resume.
    /// </summary>
    private async Task<(KeyState? State, ListingCursor.Entry? Carried)> ResumeInsideKeyAsync(string bucket, VersionsRequest request, ListRequest listing, CancellationToken ct)
    {
        if (!settings.MergeListings || request is not { KeyMarker: { } key, VersionIdMarker: { } version } || version == VersionIds.Null
            || !key.StartsWith(request.Prefix, StringComparison.Ordinal) || listing.CommonPrefixOf(key) is not null)
            return (null, null);
        var remote = RemoteObjectAsync(bucket, key, ct);
        var current = local.FindObjectAsync(bucket, key, ct);
        var localNull = HasNullVersionAsync(bucket, key, ct);
        var nullDeleted = deletedNulls.DeletedAsync(bucket, key, ct);
        await Task.WhenAll(remote, current, localNull, nullDeleted);
        var state = new KeyState(key, LocalCurrent: await current is not null, LocalNull: await localNull, NullDeleted: await nullDeleted);
        return (state, await remote is { } info ? new ListingCursor.Entry(key, info) : null);
    }

    private async Task<ObjectInfo?> RemoteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await source.HeadAsync(bucket, key, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return null;
        }
    }

    /// <summary>Whether the local store has a null version of the key (an object's; a delete marker of its own is none).</summary>
    private async Task<bool> HasNullVersionAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            await local.HeadObjectVersionAsync(bucket, key, VersionIds.Null, ReadConditions.None, ct);
            return true;
        }
        catch (StorageException e) when (e.IsMissing || e.Fault == StorageFault.DeleteMarkerVersion)
        {
            return false;
        }
    }
}
