using S3Overlay.Storage.Errors;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Overlay.Whiteouts;

namespace S3Overlay.Lifecycle;

/// <summary>
/// One bucket's pass: every object the local store holds is decided for, and what is due is
/// deleted; every multipart upload past its rule's age is aborted. A pass keeps nothing of its own
/// between steps: killed at any point, each object is either deleted whole (a store's delete is
/// atomic) or untouched, and the next pass decides again from the objects as they are.
/// </summary>
/// <remarks>
/// A bucket that keeps (or kept) versions is scanned by its version listing, a key's versions
/// at a time: noncurrent versions past their rule's age go for good, then a delete marker left as
/// its key's only version, and an expired current version gets a delete marker, as on S3.
/// Only the local store is scanned (the remote is never changed), and never the overlay's own
/// markers (see <see cref="IsOverlayMarker"/>), but for a whiteout in a bucket that keeps
/// versions: that is the delete marker clients see, and is decided as one (see
/// <see cref="ExpireVersionsAsync"/>). A version a lock keeps is kept, and the pass goes on.
/// </remarks>
internal sealed class BucketScan(LifecycleStores stores, LifecycleDays days, LifecycleProgress progress, ILogger log)
{
    private const int PageSize = 1000;

    public async Task RunAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        if (configuration.ActsOnObjects)
        {
            if (await stores.Local.GetBucketVersioningAsync(bucket, ct) == BucketVersioning.Unversioned) await ExpireObjectsAsync(bucket, configuration, now, ct);
            else await ExpireVersionsAsync(bucket, configuration, now, ct);
        }
        if (configuration.AbortsUploads) await AbortUploadsAsync(bucket, configuration, now, ct);
    }

    private async Task ExpireObjectsAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var request = new ListRequest(Prefix: CommonPrefix(configuration), MaxKeys: PageSize);
        while (true)
        {
            var page = await stores.Local.ListObjectsAsync(bucket, request, ct);
            foreach (var listed in page.Objects)
                if (!IsOverlayMarker(listed)) progress.Count(examined: 1, expired: await ExpireIfDueAsync(bucket, listed, configuration, now, ct) ? 1 : 0);
            if (!page.IsTruncated || page.NextStartAfter is null) return;
            request = request with { StartAfter = page.NextStartAfter };
        }
    }

    private async Task<bool> ExpireIfDueAsync(string bucket, ObjectInfo listed, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var o = new LifecycleObject(listed.Key, listed.Size, listed.LastModified);
        if (configuration.NeedsTags(o))
        {
            try { o = o with { Tags = await stores.Local.GetObjectTaggingAsync(bucket, listed.Key, ct) }; }
            catch (StorageException e) when (e.IsMissing) { return false; }
        }
        if (configuration.Decide(o, days) is not { Kind: LifecycleActionKind.ExpireCurrent } action || action.Due > now) return false;
        // A client may have written the key again since it was listed: a new object is not the
        // one the rule found old, so it waits for the next pass to be decided on its own. (An S3
        // store lists times to the millisecond and answers HEAD to the second.)
        if (await stores.Local.FindObjectAsync(bucket, listed.Key, ct) is not { } current
            || current.ETag != listed.ETag || (current.LastModified - listed.LastModified).Duration() >= TimeSpan.FromSeconds(1)) return false;
        if (!await ExpireCurrentAsync(bucket, listed.Key, listed.ETag, ct)) return false;
        log.LogDebug("Lifecycle rule {Rule} expired {Bucket}/{Key}", action.RuleId, bucket, listed.Key);
        return true;
    }

    /// <summary>
    /// Deletes the key's current object through the front store, as a client's DELETE (a bucket
    /// that keeps versions gets a delete marker), only if it is still the one looked at: the
    /// delete's If-Match is checked in the same step as the delete, so a write that lands after
    /// the look is never deleted with it (the look alone left that window open: a load test's
    /// client saw its new object gone half a second after writing it). A store that does not check
    /// If-Match (a local S3 server that ignores it) narrows the window to the delete's own time.
    /// </summary>
    /// <returns>False when the key holds another object (or none) by then.</returns>
    private async Task<bool> ExpireCurrentAsync(string bucket, string key, string etag, CancellationToken ct)
    {
        try
        {
            await stores.Front.DeleteObjectVersionAsync(bucket, key, null, new ObjectDelete(IfMatch: etag), ct);
            return true;
        }
        catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed || e.IsMissing)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the local store's object is one of the overlay's markers at a client's key (a
    /// whiteout of a deleted remote key, the marker of one cached in chunks) rather than a client's
    /// object: lifecycle never expires one (the remote's copy would come back), and never counts
    /// one as an object examined.
    /// </summary>
    private static bool IsOverlayMarker(ObjectInfo listed) => Overlay.Markers.MarkerObject.IsAny(listed);

    /// <summary>
    /// The bucket's keys, a key's versions at a time. A whiteout among them is the delete marker
    /// clients see in the version listing, so it is one here too: the versions behind it are
    /// noncurrent, and it may be its key's expired delete marker (<see cref="HidesRemoteObjectAsync"/>).
    /// </summary>
    private async Task ExpireVersionsAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var request = new VersionsRequest(Prefix: CommonPrefix(configuration), MaxKeys: PageSize);
        // One key's versions, gathered across pages: each is decided knowing its neighbours.
        var key = new List<ObjectVersion>();
        while (true)
        {
            var page = await stores.Local.ListObjectVersionsAsync(bucket, request, ct);
            foreach (var listed in page.Versions)
            {
                // The marker of a deleted null version is no version of its key: never decided, never counted.
                var whiteout = WhiteoutMarker.IsMarker(listed.Info) && !WhiteoutMarker.IsNullVersionDeleted(listed.Info);
                if (IsOverlayMarker(listed.Info) && !whiteout) continue;
                var version = whiteout ? listed with { IsDeleteMarker = true } : listed;
                if (key.Count > 0 && key[0].Info.Key != version.Info.Key)
                {
                    await ExpireKeyVersionsAsync(bucket, key, configuration, now, ct);
                    key.Clear();
                }
                key.Add(version);
            }
            if (!page.IsTruncated || page.NextKeyMarker is null) break;
            request = request with { KeyMarker = page.NextKeyMarker, VersionIdMarker = page.NextVersionIdMarker };
        }
        if (key.Count > 0) await ExpireKeyVersionsAsync(bucket, key, configuration, now, ct);
    }

    /// <summary>
    /// One key: its noncurrent versions first, so that a delete marker they leave alone is seen
    /// as its key's last version in the same pass; then the current version.
    /// </summary>
    private async Task ExpireKeyVersionsAsync(string bucket, List<ObjectVersion> versions, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var kept = new List<ObjectVersion> { versions[0] };
        for (var i = 1; i < versions.Count; i++)
        {
            var action = await DecideAsync(bucket, versions, i, configuration, ct);
            progress.Count(examined: 1);
            if (action is { Kind: LifecycleActionKind.DeleteNoncurrent } && action.Due <= now
                && await RemoveVersionAsync(bucket, versions[i], action, ct)) progress.Count(expired: 1);
            else kept.Add(versions[i]);
        }
        progress.Count(examined: 1);
        var current = versions[0];
        if (!current.IsLatest || await DecideAsync(bucket, kept, 0, configuration, ct) is not { } due || due.Due > now) return;
        if (due.Kind == LifecycleActionKind.DeleteExpiredMarker && current.IsDeleteMarker)
        {
            if (WhiteoutMarker.IsMarker(current.Info) && await HidesRemoteObjectAsync(bucket, current.Info.Key, ct)) return;
            if (await RemoveVersionAsync(bucket, current, due, ct)) progress.Count(expired: 1);
        }
        else if (due.Kind == LifecycleActionKind.ExpireCurrent && !current.IsDeleteMarker)
        {
            // As for an unversioned key: a version written since the listing is not the one found old.
            if (await stores.Local.FindObjectAsync(bucket, current.Info.Key, ct) is not { } still || still.VersionId != current.VersionId
                || !await ExpireCurrentAsync(bucket, current.Info.Key, current.Info.ETag, ct)) return;
            log.LogDebug("Lifecycle rule {Rule} expired {Bucket}/{Key}", due.RuleId, bucket, current.Info.Key);
            progress.Count(expired: 1);
        }
    }

    private async Task<LifecycleAction?> DecideAsync(string bucket, IReadOnlyList<ObjectVersion> versions, int index, LifecycleConfiguration configuration, CancellationToken ct)
    {
        var o = KeyVersions.Describe(versions, index);
        if (configuration.NeedsTags(o))
        {
            try { o = o with { Tags = await stores.Local.GetObjectVersionTaggingAsync(bucket, o.Key, versions[index].VersionId, ct) }; }
            catch (StorageException e) when (e.IsMissing) { return null; }
        }
        return configuration.Decide(o, days);
    }

    /// <summary>
    /// Removes one version for good (a noncurrent version, or a delete marker left alone); false
    /// when it may not go: a legal hold or a retention keeps it (on S3, lifecycle never removes a
    /// locked version), and the rest of the bucket is still decided.
    /// </summary>
    private async Task<bool> RemoveVersionAsync(string bucket, ObjectVersion version, LifecycleAction action, CancellationToken ct)
    {
        try
        {
            // Through the front store: in the overlay a whiteout goes as the delete marker it is, which no lock keeps.
            await stores.Front.DeleteObjectVersionAsync(bucket, version.Info.Key, version.VersionId, ct);
        }
        catch (StorageException e) when (e.Fault == StorageFault.AccessDenied)
        {
            log.LogDebug("Lifecycle rule {Rule} keeps {Bucket}/{Key} version {Version}: {Reason}", action.RuleId, bucket, version.Info.Key, version.VersionId, e.Message);
            return false;
        }
        log.LogDebug("Lifecycle rule {Rule} removed {Bucket}/{Key} version {Version}", action.RuleId, bucket, version.Info.Key, version.VersionId);
        return true;
    }

    /// <summary>
    /// Whether a whiteout left alone in the local store still stands over the remote's object,
    /// which is its key's null version in the merged view: then the marker is not its key's only
    /// version, so not an expired one, and removing it would bring the deleted object back. The
    /// remote is asked (a HEAD; it is never changed); when it cannot answer, the marker stays.
    /// </summary>
    private async Task<bool> HidesRemoteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            await stores.Front.HeadObjectVersionAsync(bucket, key, VersionIds.Null, ReadConditions.None, ct);
            return true;
        }
        catch (StorageException e) when (e.IsMissing)
        {
            return false;
        }
        catch (StorageException e)
        {
            log.LogDebug("Lifecycle keeps the delete marker of {Bucket}/{Key}: the remote did not say whether it holds the key ({Fault})", bucket, key, e.Fault);
            return true;
        }
    }

    private async Task AbortUploadsAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var request = new UploadsRequest(MaxUploads: PageSize);
        while (true)
        {
            var page = await stores.Local.ListMultipartUploadsAsync(bucket, request, ct);
            long aborted = 0;
            foreach (var upload in page.Uploads)
            {
                if (configuration.AbortOf(upload.Key, upload.Initiated, days) is not { } action || action.Due > now) continue;
                try
                {
                    await stores.Front.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId, ct);
                    aborted++;
                }
                catch (StorageException e) when (e.Fault == StorageFault.UploadNotFound)
                {
                    // Completed or aborted by its client meanwhile.
                }
            }
            progress.Count(aborted: aborted);
            if (!page.IsTruncated || page.NextKeyMarker is null) return;
            request = request with { KeyMarker = page.NextKeyMarker, UploadIdMarker = page.NextUploadIdMarker };
        }
    }

    /// <summary>What every object rule's prefix starts with: only that part of the bucket is listed.</summary>
    private static string CommonPrefix(LifecycleConfiguration configuration)
    {
        string? common = null;
        foreach (var rule in configuration.Rules)
        {
            if (!rule.Enabled || (rule.Expiration is null && rule.NoncurrentVersionExpiration is null)) continue;
            var prefix = rule.Filter.Prefix ?? "";
            if (common is null) { common = prefix; continue; }
            var n = 0;
            while (n < common.Length && n < prefix.Length && common[n] == prefix[n]) n++;
            common = common[..n];
        }
        return common ?? "";
    }
}
