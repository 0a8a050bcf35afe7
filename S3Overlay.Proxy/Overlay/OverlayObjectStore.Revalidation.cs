using Microsoft.Extensions.Logging;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

public sealed partial class OverlayObjectStore
{
    /// <param name="Stale">The remote has a different object now; <paramref name="Remote"/> describes it.</param>
    private sealed record LocalCopy(ObjectInfo Info, bool Stale, ObjectInfo? Remote);

    /// <summary>The local object, if any, and whether the remote has since replaced it (only asked once revalidation is due).</summary>
    private async Task<LocalCopy?> LocalCopyAsync(string bucket, string key, CancellationToken ct)
    {
        ObjectInfo info;
        try
        {
            info = await _local.HeadObjectAsync(bucket, key, ReadConditions.None, ct);
        }
        catch (S3Exception e) when (IsMiss(e))
        {
            return null;
        }
        if (_settings.RevalidateAfter is null) return new LocalCopy(info, false, null);

        // Only a copy that came from the remote is checked against it: its fill record names the
        // same ETag. An object written here is the local store's own and wins.
        var remoteBucket = _settings.Mapping.RemoteBucketOf(bucket);
        var record = await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, remoteBucket, key, ct);
        if (record is null || record.IsChunked || record.ETag != info.ETag) return new LocalCopy(info, false, null);
        var changed = await RevalidateAsync(record, ct);
        return new LocalCopy(info, changed is not null, changed is null ? null : changed with { Key = key });
    }

    /// <summary>The chunked object's manifest, unless the remote has replaced the object since.</summary>
    private async Task<ChunkManifest?> CurrentManifestAsync(string remoteBucket, string key, CancellationToken ct)
    {
        var manifest = await ChunkManifest.ReadAsync(_local, _settings.CacheBucket, remoteBucket, key, ct);
        if (manifest is not { IsChunked: true }) return null;
        if (_settings.RevalidateAfter is not null && await RevalidateAsync(manifest, ct) is not null) return null;
        return manifest;
    }

    /// <summary>
    /// Asks the remote whether a cached object is still current, once its check is older than the
    /// revalidation TTL: a conditional HEAD (If-None-Match), so an unchanged object costs no body.
    /// </summary>
    /// <returns>The remote's new description when it changed; null when unchanged, or when the
    /// remote cannot say (down, or the object gone): the cached copy is then served as it is.</returns>
    private async Task<ObjectInfo?> RevalidateAsync(ChunkManifest cached, CancellationToken ct)
    {
        if (_clock.GetUtcNow() - cached.ValidatedAt < _settings.RevalidateAfter) return null;
        try
        {
            var remote = await _remote.HeadObjectAsync(cached.RemoteBucket, cached.Key, new ReadConditions(null, cached.ETag, null, null), ct);
            if (remote.ETag != cached.ETag) return remote;
        }
        catch (S3Exception e) when (e.Error.Status == 304)
        {
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _logger.LogWarning("Serving the cached {Bucket}/{Key}: the remote could not revalidate it ({Reason})", cached.RemoteBucket, cached.Key, e.Message);
            return null;
        }
        await WriteManifestAsync(cached with { ValidatedAt = _clock.GetUtcNow() });
        return null;
    }

    /// <summary>Writes a manifest or fill record; a failure only costs a later remote request.</summary>
    private async Task WriteManifestAsync(ChunkManifest manifest)
    {
        try
        {
            await EnsureLocalBucketAsync(_settings.CacheBucket, CancellationToken.None);
            await manifest.WriteAsync(_local, _settings.CacheBucket, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not write the manifest of {Bucket}/{Key}", manifest.RemoteBucket, manifest.Key);
        }
    }
}
