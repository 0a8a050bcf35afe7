using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Storage.Errors;
using S3Overlay.Overlay.Listing;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Markers;

namespace S3Overlay.Overlay.Versions;

/// <summary>
/// Keys of a bucket the remote backs, kept with versions, whose null version was deleted by its
/// id: in S3 that version is gone for good, so the remote's object is never again a version of the
/// key (listed, read as <c>null</c>, or current once the versions above it go). The remote is
/// never written: the deletion is kept in the local store, in one write, one of two ways.
/// </summary>
/// <remarks>
/// <para>Where nothing current stands at the key, a whiteout that is no delete marker
/// (<see cref="WhiteoutMarker.IsNullVersionDeleted"/>) is written there: the read every GET makes
/// anyway meets it and answers NoSuchKey, listings skip it as any whiteout, so the key is simply
/// absent, as in S3, at no cost to any read.</para>
/// <para>Where a version stands over the null one, that marker cannot be written: a write at the
/// key is its newest version, which would hide the ones above the null version. The deletion is
/// then a record in the cache bucket instead (<c>null-versions-deleted/BUCKET/KEY</c>), which only
/// requests about versions look at: the version listing (one listing of records a page), a read of
/// the null version, and a delete by version id, which writes the marker once the last version
/// above is gone (<see cref="CoverAsync"/>). Reads of the current version never look, so warm GETs,
/// PUTs and plain DELETEs cost what they did.</para>
/// <para>Neither is cleared by a later write: a null version written here (a PUT while versioning
/// is suspended) is the key's null version from then on, as in S3 a new null version replaces the
/// old, and the remote's object is no version of the key after it either.</para>
/// </remarks>
internal sealed class DeletedNullVersions([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, OverlaySettings settings)
{
    private const string RecordPrefix = "null-versions-deleted/";

    private static string RecordsOf(string bucket) => $"{RecordPrefix}{bucket}/";

    /// <summary>
    /// Keeps that the key's null version, the remote's object, is deleted: the marker where
    /// nothing current stands at the key, else the record. One write.
    /// </summary>
    public async Task DeleteAsync(string bucket, string key, CancellationToken ct)
    {
        var current = await local.FindObjectAsync(bucket, key, ct);
        if (current is not null && WhiteoutMarker.IsNullVersionDeleted(current)) return;
        if (current is null && await TryMarkAsync(bucket, key, ct)) return;
        await localBuckets.EnsureAsync(settings.CacheBucket, ct);
        await local.PutObjectAsync(settings.CacheBucket, RecordsOf(bucket) + key, Stream.Null, new ObjectWrite { ContentLength = 0 }, ct);
        // The version above may have gone meanwhile, deleted by a request that looked for this
        // record before it was written (rclone's cleanup-hidden deletes a key's versions at once):
        // each side looks after its own write, so one of them sees the other's and covers the key.
        if (await local.FindObjectAsync(bucket, key, ct) is null) await TryMarkAsync(bucket, key, ct);
    }

    /// <summary>
    /// After a version of the key was deleted by its id: where the null version was deleted under
    /// it and nothing current is left, the marker takes over from the record, so the remote's
    /// object stays hidden from reads of the key.
    /// </summary>
    /// <remarks>
    /// After the delete, not before: a marker written first would be the key's newest version,
    /// hiding the deleted one should its delete fail (a lock). The record is looked for after the
    /// delete too, so a deletion of the null version that wrote it meanwhile is seen (see
    /// <see cref="DeleteAsync"/>). A crash between the two shows the remote's object as current
    /// until the key is written or deleted again; the version listing and reads of the null version
    /// still leave it out.
    /// </remarks>
    public async Task CoverAsync(string bucket, string key, CancellationToken ct)
    {
        if (!await RecordedAsync(bucket, key, ct) || await local.FindObjectAsync(bucket, key, ct) is not null) return;
        await TryMarkAsync(bucket, key, ct);
    }

    /// <summary>Writes the marker only over nothing current, so a client's write that lands meanwhile is not hidden (where the store honours the condition).</summary>
    private async Task<bool> TryMarkAsync(string bucket, string key, CancellationToken ct)
    {
        await localBuckets.EnsureAsync(bucket, ct);
        try
        {
            await MarkerObject.NullVersionDeleted.WriteAsync(local, bucket, key, new WriteCondition(OnlyIfAbsent: true), ct);
            return true;
        }
        catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>Whether the key has a record (not whether it has the marker: the caller looks at the key for that).</summary>
    public async Task<bool> RecordedAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await local.FindObjectAsync(settings.CacheBucket, RecordsOf(bucket) + key, ct) is not null;
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return false;
        }
    }

    /// <summary>Whether the key's null version was deleted: a record, or the marker among the key's local versions (two requests at once).</summary>
    public async Task<bool> DeletedAsync(string bucket, string key, CancellationToken ct)
    {
        var recorded = RecordedAsync(bucket, key, ct);
        var marked = MarkedAsync(bucket, key, ct);
        return await recorded | await marked;
    }

    /// <summary>Whether a version of the key is the marker: the key's versions come first in a listing of it as a prefix.</summary>
    private async Task<bool> MarkedAsync(string bucket, string key, CancellationToken ct)
    {
        var request = new VersionsRequest(Prefix: key);
        while (true)
        {
            VersionsPage page;
            try
            {
                page = await local.ListObjectVersionsAsync(bucket, request, ct);
            }
            catch (StorageException e) when (e.IsMissing)
            {
                return false;
            }
            var mine = page.Versions.Where(v => v.Info.Key == key).ToList();
            if (mine.Any(v => WhiteoutMarker.IsNullVersionDeleted(v.Info))) return true;
            if (!page.IsTruncated || page.NextKeyMarker != key) return false;
            request = request with { KeyMarker = page.NextKeyMarker, VersionIdMarker = page.NextVersionIdMarker };
        }
    }

    /// <summary>The records of keys after <paramref name="keyMarker"/> under <paramref name="prefix"/>, for a version listing to look its remote entries up in, in key order.</summary>
    public Recorded Listing(string bucket, string prefix, string? keyMarker, CancellationToken ct)
    {
        var records = RecordsOf(bucket);
        var listing = new ListRequest(records + prefix, null, keyMarker is null ? null : records + keyMarker);
        return new Recorded(records, new ListingCursor(listing, async after =>
        {
            try
            {
                return await local.ListObjectsAsync(settings.CacheBucket, listing with { StartAfter = after }, ct);
            }
            catch (StorageException e) when (e.Fault == StorageFault.BucketNotFound)
            {
                return new ListPage([], [], false, null);
            }
        }));
    }

    /// <summary>
    /// Deletes every version of a bucket that keeps versions when none is one a client sees (the
    /// markers of deleted null versions, a delete marker of the local store's own, a chunk marker
    /// from before versions were kept), so the bucket, empty to clients, can be deleted.
    /// </summary>
    /// <returns>False, deleting nothing, when a version is one clients see (an object, a delete marker).</returns>
    public async Task<bool> ClearIfHiddenAsync(string bucket, CancellationToken ct)
    {
        var hidden = new List<ObjectVersion>();
        var request = new VersionsRequest();
        while (true)
        {
            var page = await local.ListObjectVersionsAsync(bucket, request, ct);
            foreach (var version in page.Versions)
                if (version.IsDeleteMarker || MarkerObject.IsAny(version.Info) && !MarkerObject.Whiteout.Is(version.Info)) hidden.Add(version);
                else return false;
            if (!page.IsTruncated || page.NextKeyMarker is null) break;
            request = request with { KeyMarker = page.NextKeyMarker, VersionIdMarker = page.NextVersionIdMarker };
        }
        // A marker a bucket's default retention locked (RGW locks every write) goes as a delete marker would.
        foreach (var version in hidden) await local.DeleteObjectVersionAsync(bucket, version.Info.Key, version.VersionId, new ObjectDelete(BypassGovernance: true), ct);
        return true;
    }

    /// <summary>A bucket deleted locally: its records go with it, so a bucket made again under its name starts with none.</summary>
    public async Task ForgetAsync(string bucket, CancellationToken ct)
    {
        var cursor = Listing(bucket, "", null, ct).Cursor;
        while (await cursor.PeekAsync() is { } record)
        {
            cursor.Take();
            await local.DeleteObjectAsync(settings.CacheBucket, record.Name, ct);
        }
    }

    /// <summary>Records read in key order: asked about keys in increasing order, it reads each page once.</summary>
    internal sealed class Recorded(string records, ListingCursor cursor)
    {
        internal ListingCursor Cursor => cursor;

        public async ValueTask<bool> ContainsAsync(string key)
        {
            var wanted = records + key;
            while (await cursor.PeekAsync() is { } entry && Utf8Order.Compare(entry.Name, wanted) < 0) cursor.Take();
            return await cursor.PeekAsync() is { } found && found.Name == wanted;
        }
    }
}
