using S3Overlay.S3.Errors;
using S3Overlay.S3.Lifecycle;
using S3Overlay.Storage;

namespace S3Overlay.Lifecycle;

/// <summary>
/// One bucket's pass: every object the local store holds is decided for, and what is due is
/// deleted; every multipart upload past its rule's age is aborted. A pass keeps nothing of its own
/// between steps: killed at any point, each object is either deleted whole (a store's delete is
/// atomic) or untouched, and the next pass decides again from the objects as they are.
/// </summary>
/// <remarks>
/// Versioning adds a step here, not a new design: list the key's versions (newest first), give
/// each <see cref="LifecycleObject"/> its <c>BecameNoncurrent</c> (the next newer version's
/// creation), <c>NewerNoncurrent</c> and the key's <c>Versions</c>, and turn
/// <see cref="LifecycleActionKind.DeleteNoncurrent"/> and <see cref="LifecycleActionKind.DeleteExpiredMarker"/>
/// into deletes of that version id. <see cref="LifecycleConfiguration.Decide"/> already decides them.
/// </remarks>
internal sealed class BucketScan(LifecycleStores stores, LifecycleDays days, LifecycleProgress progress, ILogger log)
{
    private const int PageSize = 1000;

    public async Task RunAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        if (configuration.ActsOnObjects) await ExpireObjectsAsync(bucket, configuration, now, ct);
        if (configuration.AbortsUploads) await AbortUploadsAsync(bucket, configuration, now, ct);
    }

    private async Task ExpireObjectsAsync(string bucket, LifecycleConfiguration configuration, DateTimeOffset now, CancellationToken ct)
    {
        var request = new ListRequest(Prefix: CommonPrefix(configuration), MaxKeys: PageSize);
        while (true)
        {
            var page = await stores.Local.ListObjectsAsync(bucket, request, ct);
            foreach (var listed in page.Objects)
                progress.Count(examined: 1, expired: await ExpireIfDueAsync(bucket, listed, configuration, now, ct) ? 1 : 0);
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
            catch (S3Exception e) when (e.Error.Status == 404) { return false; }
        }
        if (configuration.Decide(o, days) is not { Kind: LifecycleActionKind.ExpireCurrent } action || action.Due > now) return false;
        // A client may have written the key again since it was listed: a new object is not the
        // one the rule found old, so it waits for the next pass to be decided on its own. (An S3
        // store lists times to the millisecond and answers HEAD to the second.)
        if (await stores.Local.FindObjectAsync(bucket, listed.Key, ct) is not { } current
            || current.ETag != listed.ETag || (current.LastModified - listed.LastModified).Duration() >= TimeSpan.FromSeconds(1)) return false;
        await stores.Front.DeleteObjectAsync(bucket, listed.Key, ct);
        log.LogDebug("Lifecycle rule {Rule} expired {Bucket}/{Key}", action.RuleId, bucket, listed.Key);
        return true;
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
                catch (S3Exception e) when (e.Error.Code == S3Error.NoSuchUpload.Code)
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
