using Microsoft.Extensions.Logging;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>
/// Writes and deletes are the local store's; a delete leaves a whiteout so the remote's copy of
/// the key does not come back, and a write clears it.
/// </summary>
/// <remarks>
/// A delete racing a fill must never let the fill resurrect the object. The order that ensures it:
/// <list type="number">
/// <item>The delete writes the whiteout first. Every read that looks for it from then on answers
/// NoSuchKey before asking the remote, so no new fill starts.</item>
/// <item>It then waits for the fill of that key in flight in this process, if any, local write
/// included; such a fill checks for the whiteout just before it stores and again just after,
/// removing what it stored when it finds one.</item>
/// <item>Only then does it delete the local copy, so whatever a fill stored before is gone too.</item>
/// </list>
/// A fill that registered after step 2 looked began after step 1, so its check before storing
/// sees the whiteout. Across proxies sharing a local store there is no step 2: another proxy's
/// fill that stores just as the delete ends removes its copy on its check after storing, so it
/// is visible at most for that moment, never kept.
/// <para>
/// A delete always leaves a whiteout, also for a key the remote does not have (asking would cost
/// a remote request per delete, fail with the remote down, and race with the remote gaining the
/// key). It costs one empty marker, and if the remote gains the key later it stays hidden, as S3
/// semantics want: the key was deleted here. The admin API lists and clears whiteouts.
/// </para>
/// </remarks>
public sealed partial class OverlayObjectStore
{
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWrite write, CancellationToken ct)
    {
        var written = await _local.PutObjectAsync(Guard(bucket), key, body, write, ct);
        await ClearWhiteoutAsync(bucket, key);
        BecameLocal(bucket, key);
        return written;
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken ct)
    {
        var written = await _local.CompleteMultipartUploadAsync(Guard(bucket), key, uploadId, parts, ct);
        await ClearWhiteoutAsync(bucket, key);
        BecameLocal(bucket, key);
        return written;
    }

    public async Task DeleteObjectAsync(string bucket, string key, CancellationToken ct)
    {
        Guard(bucket);
        await EnsureLocalBucketAsync(_settings.CacheBucket, ct);
        await _whiteouts.AddAsync(bucket, key, ct);
        await _objectFills.WhenFinished((bucket, key)).WaitAsync(ct);
        try
        {
            await _local.DeleteObjectAsync(bucket, key, ct);
            BecameLocal(bucket, key);
        }
        catch (S3Exception e) when (e.Error.Code == S3Error.NoSuchBucket.Code)
        {
            // A bucket only the remote has holds nothing locally; one that is nowhere is an error.
            if (await GetBucketAsync(bucket, ct) is not null) return;
            await _whiteouts.ClearAsync(bucket, key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// After the write, never before: cleared first, a write that then failed would let the
    /// remote's object back. A whiteout left beside a local object hides nothing (the local object
    /// wins for reads and listings), so failing to clear it only costs a log line.
    /// </summary>
    private async Task ClearWhiteoutAsync(string bucket, string key)
    {
        try
        {
            await _whiteouts.ClearAsync(bucket, key, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not clear the whiteout of {Bucket}/{Key}", bucket, key);
        }
    }

    /// <summary>A key deleted here is gone, whatever the remote holds: nothing is asked of it.</summary>
    private async Task RefuseWhitedOutAsync(string bucket, string key, CancellationToken ct)
    {
        if (await _whiteouts.ExistsAsync(bucket, key, ct)) throw S3Exception.NoSuchKey(key);
    }
}
