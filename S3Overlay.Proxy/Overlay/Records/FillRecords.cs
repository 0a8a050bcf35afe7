using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay;

/// <summary>The local object, if any, and whether the remote has since replaced it.</summary>
/// <param name="Stale">The remote has a different object now; <paramref name="Remote"/> describes it.</param>
public sealed record LocalCopy(ObjectInfo Info, bool Stale, ObjectInfo? Remote);

/// <summary>
/// The fill records in the cache bucket (<see cref="FillRecord"/>): reading and writing them,
/// and revalidating what they describe against the remote once their check is older than the
/// revalidation TTL. Also remembers which chunked generation's manifest is known to be stored,
/// so storing a chunk does not read the manifest again each time.
/// </summary>
public sealed class FillRecords(IObjectStore local, RemoteSource remote, OverlaySettings settings, TimeProvider clock, ILogger logger)
{
    private readonly ConcurrentDictionary<(string RemoteBucket, string Key), string> _storedGenerations = new();

    // The manifest a generation's chunks are writing now. A read and its read-ahead store chunks
    // side by side: one writes the manifest and the other waits for it, because two writes of one
    // key at once are more than some S3 servers keep whole (s3rver writes in place).
    private readonly ConcurrentDictionary<(string RemoteBucket, string Key, string ETag), Lazy<Task>> _recording = new();

    public Task<FillRecord?> ReadAsync(string remoteBucket, string key, CancellationToken ct) =>
        FillRecord.ReadAsync(local, settings.CacheBucket, remoteBucket, key, ct);

    public async Task DeleteAsync(string remoteBucket, string key, CancellationToken ct)
    {
        _storedGenerations.TryRemove((remoteBucket, key), out _);
        await local.DeleteObjectAsync(settings.CacheBucket, CacheKeys.Manifest(remoteBucket, key), ct);
    }

    /// <summary>Forgets the generation known to be stored (its chunks are being evicted).</summary>
    public void ForgetGeneration(string remoteBucket, string key) => _storedGenerations.TryRemove((remoteBucket, key), out _);

    /// <summary>Writes a record; a failure only costs a later remote request.</summary>
    public async Task WriteAsync(FillRecord record)
    {
        try
        {
            await LocalBuckets.EnsureAsync(local, settings.CacheBucket, CancellationToken.None);
            await record.WriteAsync(local, settings.CacheBucket, CancellationToken.None);
        }
        catch (Exception e)
        {
            LocalBuckets.ForgetIfGone(local, settings.CacheBucket, e);
            logger.LogWarning(e, "Could not write the fill record of {Bucket}/{Key}", record.RemoteBucket, record.Key);
        }
    }

    /// <summary>Once per generation: the manifest of a chunked object, written after its first stored chunk.</summary>
    public async Task RecordChunkedAsync(string remoteBucket, ObjectInfo remoteObject, long chunkSize)
    {
        var id = (remoteBucket, remoteObject.Key);
        if (_storedGenerations.TryGetValue(id, out var known) && known == remoteObject.ETag) return;
        var generation = (remoteBucket, remoteObject.Key, remoteObject.ETag);
        var writing = _recording.GetOrAdd(generation, _ => new Lazy<Task>(async () =>
        {
            var current = await ReadAsync(remoteBucket, remoteObject.Key, CancellationToken.None);
            if (current?.ETag != remoteObject.ETag || !current.IsChunked)
                await WriteAsync(FillRecord.Of(remoteBucket, remoteObject, chunkSize, clock.GetUtcNow()));
            _storedGenerations[id] = remoteObject.ETag;
        }));
        try
        {
            await writing.Value;
        }
        finally
        {
            _recording.TryRemove(new KeyValuePair<(string, string, string), Lazy<Task>>(generation, writing));
        }
    }

    /// <summary>The local object, if any, and whether the remote has since replaced it (only asked once revalidation is due).</summary>
    public async Task<LocalCopy?> LocalCopyAsync(string bucket, string key, CancellationToken ct)
    {
        if (await local.FindObjectAsync(bucket, key, ct) is not { } info) return null;
        if (settings.RevalidateAfter is null || remote.BucketOf(bucket) is not { } remoteBucket) return new LocalCopy(info, false, null);

        // Only a copy that came from the remote is checked against it: its fill record names the
        // same ETag. An object written here is the local store's own and wins.
        var record = await ReadAsync(remoteBucket, key, ct);
        if (record is null || record.IsChunked || record.ETag != info.ETag) return new LocalCopy(info, false, null);
        var changed = await RevalidateAsync(bucket, record, ct);
        return new LocalCopy(info, changed is not null, changed);
    }

    /// <summary>The chunked object's manifest, unless the remote has replaced the object since.</summary>
    public async Task<FillRecord?> CurrentManifestAsync(string bucket, string key, CancellationToken ct)
    {
        if (remote.BucketOf(bucket) is not { } remoteBucket) return null;
        var manifest = await ReadAsync(remoteBucket, key, ct);
        if (manifest is not { IsChunked: true }) return null;
        if (settings.RevalidateAfter is not null && await RevalidateAsync(bucket, manifest, ct) is not null) return null;
        return manifest;
    }

    /// <returns>The remote's new description when it changed; null when unchanged, or when the
    /// remote cannot say (down, or the object gone): the cached copy is then served as it is.</returns>
    private async Task<ObjectInfo?> RevalidateAsync(string bucket, FillRecord cached, CancellationToken ct)
    {
        if (clock.GetUtcNow() - cached.ValidatedAt < settings.RevalidateAfter) return null;
        try
        {
            if (await remote.ChangedSinceAsync(bucket, cached.Key, cached.ETag, ct) is { } changed) return changed;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Serving the cached {Bucket}/{Key}: the remote could not revalidate it ({Reason})", cached.RemoteBucket, cached.Key, e.Message);
            return null;
        }
        await WriteAsync(cached with { ValidatedAt = clock.GetUtcNow() });
        return null;
    }
}
