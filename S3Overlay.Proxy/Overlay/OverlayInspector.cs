using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Overlay.Chunks;

namespace S3Overlay.Overlay;

internal sealed class OverlayInspector([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource remote, OverlaySettings settings, FillRecords records, WhiteoutIndex whiteouts, CacheEvictor evictor)
    : IOverlayInspector
{
    public Task<CacheReport> CachedUnderAsync(string bucket, string prefix, CancellationToken ct) => evictor.CachedUnderAsync(bucket, prefix, ct);

    public async Task<ObjectLocation> LocateAsync(string bucket, string key, bool askRemote, CancellationToken ct)
    {
        var remoteBucket = remote.BucketOf(bucket);
        var legacyPending = whiteouts.Legacy.Pending;
        if (await local.FindObjectAsync(bucket, key, ct) is { } held && !Chunks.ChunkMarkers.IsMarker(held))
            return WhiteoutMarker.IsMarker(held) && remoteBucket is not null ? new ObjectLocation(ObjectPlacement.WhitedOut)
                : remoteBucket is not null && FillMetadata.RecordOf(held, await records.ReadAsync(remoteBucket, key, ct)) is { } record
                ? Filled(ObjectPlacement.Cached, record)
                : new ObjectLocation(ObjectPlacement.LocalOnly, held.Size);
        if (await whiteouts.Legacy.WhitedOutAsync(bucket, key, legacyPending, ct)) return new ObjectLocation(ObjectPlacement.WhitedOut);
        if (remoteBucket is null) return new ObjectLocation(ObjectPlacement.Absent);
        if (await records.ReadAsync(remoteBucket, key, ct) is { IsChunked: true } manifest)
        {
            var chunks = await HeldChunksAsync(remoteBucket, manifest, ct);
            return Filled(chunks.All(c => c) ? ObjectPlacement.Cached : ObjectPlacement.PartlyCached, manifest) with { CachedChunks = chunks };
        }
        if (!askRemote) return new ObjectLocation(ObjectPlacement.Absent);
        try
        {
            return new ObjectLocation(ObjectPlacement.RemoteOnly, (await remote.HeadAsync(bucket, key, ct)).Size);
        }
        catch (StorageException e) when (LocalBuckets.IsMiss(e))
        {
            return new ObjectLocation(ObjectPlacement.Absent);
        }
    }

    private ObjectLocation Filled(ObjectPlacement placement, FillRecord record) =>
        new(placement, record.Size, ValidatedAt: record.ValidatedAt, StaleAfter: record.ValidatedAt + settings.RevalidateAfter);

    /// <summary>One listing of the generation's chunks, rather than a HEAD per chunk.</summary>
    private async Task<bool[]> HeldChunksAsync(string remoteBucket, FillRecord manifest, CancellationToken ct)
    {
        var layout = new ChunkLayout(manifest.Size, manifest.ChunkSize);
        var held = new bool[layout.Count];
        var prefix = CacheKeys.ChunksOfGeneration(remoteBucket, manifest.Key, manifest.ETag, manifest.ChunkSize);
        string? after = null;
        while (true)
        {
            var page = await local.ListObjectsAsync(settings.CacheBucket, new ListRequest(prefix, StartAfter: after), ct);
            foreach (var chunk in page.Objects)
                if (int.TryParse(chunk.Key.AsSpan(prefix.Length), out var index) && index < held.Length)
                    held[index] = chunk.Size == layout.LengthOf(index);
            if (!page.IsTruncated) return held;
            after = page.NextStartAfter;
        }
    }
}
