using System.Text.Json;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.S3.Errors;
using S3Overlay.Storage;
using S3Overlay.Overlay.Records;
using S3Overlay.Storage.Errors;
using S3Overlay.Tests.Infrastructure;

namespace S3Overlay.Tests.Reliability;

/// <summary>A remote object of the crash run, as the remote describes it.</summary>
internal sealed record RemoteObject(string Key, long Length, int Seed)
{
    public string ETag { get; set; } = "";
}

/// <summary>
/// After a restart, the overlay's cache bookkeeping against what its local store holds, read
/// from the store itself (not through the proxy): the flushed eviction index
/// (<see cref="CacheIndex.RecordKey"/>) and the fill records (<see cref="FillRecord"/>).
/// </summary>
/// <remarks>
/// What must hold across a SIGKILL: the index never counts more than is stored, and counts only
/// fills; a record names exactly what is stored (a whole object's local copy, which carries its
/// record, with the record's ETag and length; a manifest at least one chunk of its generation); every chunk has its
/// length; once the start-up reconcile has run, every recorded unit is in the index (fills since
/// the last flush included). What the design tolerates, counted apart:
/// a fill killed between its chunks and its manifest leaves chunks without a manifest (fetched
/// again, written over); and a record may name a generation none of whose bytes is stored: a chunked read records the
/// generation before its first byte (a kill before its first chunk, or an eviction racing it,
/// leaves a manifest alone), and an eviction deletes a whole copy before a record of it in the
/// cache bucket (a revalidation's, or an older fill's: the other order could leave a filled copy
/// that passes for a client's). A read of such a key goes to the
/// remote, as for anything not cached.
/// </remarks>
internal sealed class CacheBookkeeping
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Broken promises.</summary>
    public List<string> Wrong { get; } = [];

    /// <summary>Units (a whole object, or the chunks of one) found stored: what the bookkeeping was checked against.</summary>
    public int Stored { get; private set; }

    /// <summary>Recorded units stored but not (or not all) in the index: filled after its last flush and missed by the start-up reconcile.</summary>
    public int Unindexed { get; private set; }

    /// <summary>Fills whose bytes are stored but whose record was not yet written.</summary>
    public int Unrecorded { get; private set; }

    /// <summary>Records naming a generation none of whose bytes is stored (yet, or any more).</summary>
    public int Unfilled { get; private set; }

    public static async Task<CacheBookkeeping> CheckAsync(IObjectStore local, string localBucket, string cacheBucket, string remoteBucket,
        IReadOnlyList<RemoteObject> remoteObjects, long chunkSize, long threshold, string when)
    {
        var check = new CacheBookkeeping();
        var index = await ReadIndexAsync(local, cacheBucket);
        foreach (var entry in index.Where(e => !remoteObjects.Any(o => o.Key == e.Key)))
            check.Wrong.Add($"{when}: the index counts {entry.Kind} {entry.Bucket}/{entry.Key}, which was never filled");
        foreach (var o in remoteObjects)
        {
            var record = await FillRecord.ReadAsync(local, cacheBucket, remoteBucket, o.Key, CancellationToken.None);
            // A whole copy carries its record; one in the cache bucket is a revalidation's, or an older fill's.
            var stored = o.Length > threshold ? null : await HeadAsync(local, localBucket, o.Key);
            if (stored is not null) record = FillMetadata.RecordOf(stored, record) ?? record;
            if (record is not null && (record.ETag != o.ETag || record.Size != o.Length || record.IsChunked != o.Length > threshold))
                check.Wrong.Add($"{when}: the record of {o.Key} says {record.ETag}, {record.Size} bytes, chunk size {record.ChunkSize}");
            if (o.Length > threshold)
                await check.ChunkedAsync(local, cacheBucket, remoteBucket, o, record, index.FirstOrDefault(e => e.Id == new CacheEntryId(CacheEntryKind.Chunks, remoteBucket, o.Key)), chunkSize, when);
            else
                check.Whole(stored, o, record, index.FirstOrDefault(e => e.Id == new CacheEntryId(CacheEntryKind.Object, localBucket, o.Key)), when);
        }
        return check;
    }

    private void Whole(ObjectInfo? stored, RemoteObject o, FillRecord? record, CacheEntry? entry, string when)
    {
        if (stored is not null && (stored.ETag != o.ETag || stored.Size != o.Length))
            Wrong.Add($"{when}: the filled {o.Key} is stored as {stored.ETag}, {stored.Size} bytes");
        if (record is not null && stored is null) Unfilled++;
        if (stored is not null) Stored++;
        if (stored is not null && record is null) Unrecorded++;
        // Nothing else writes these keys, so an entry must describe the stored copy.
        if (entry is not null && (stored is null || entry.ETag != stored.ETag || entry.Size != stored.Size))
            Wrong.Add($"{when}: the index says {o.Key} is {entry.ETag}, {entry.Size} bytes; stored: {(stored is null ? "nothing" : $"{stored.ETag}, {stored.Size} bytes")}");
        if (stored is not null && record is not null && entry is null) Unindexed++;
    }

    private async Task ChunkedAsync(IObjectStore local, string cacheBucket, string remoteBucket, RemoteObject o, FillRecord? record, CacheEntry? entry, long chunkSize, string when)
    {
        var generation = CacheKeys.ChunksOfGeneration(remoteBucket, o.Key, o.ETag, chunkSize);
        var chunks = await ListAsync(local, cacheBucket, CacheKeys.ChunksOf(remoteBucket, o.Key));
        foreach (var chunk in chunks)
        {
            var index = chunk.Key.StartsWith(generation, StringComparison.Ordinal) && int.TryParse(chunk.Key[generation.Length..], out var i) ? i : -1;
            var length = Math.Min(chunkSize, o.Length - index * chunkSize);
            if (index < 0 || length <= 0) Wrong.Add($"{when}: {chunk.Key} is no chunk of {o.Key}");
            else if (chunk.Size != length) Wrong.Add($"{when}: {chunk.Key} holds {chunk.Size} bytes, not {length}");
        }
        if (record is not null && chunks.Count == 0) Unfilled++;
        if (chunks.Count > 0) Stored++;
        if (chunks.Count > 0 && record is null) Unrecorded++;
        var bytes = chunks.Sum(c => c.Size);
        if (entry is not null && (entry.Size > bytes || entry.Chunks > chunks.Count))
            Wrong.Add($"{when}: the index counts {entry.Chunks} chunks ({entry.Size} bytes) of {o.Key}; stored: {chunks.Count} ({bytes} bytes)");
        if (record is not null && (entry?.Chunks ?? 0) < chunks.Count) Unindexed++;
    }

    /// <summary>Writes the eviction index as a proxy's flush would (to set up what a test needs the next start to find).</summary>
    public static async Task WriteIndexAsync(IObjectStore local, string cacheBucket, List<CacheEntry> entries)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(entries, Json);
        await local.PutObjectAsync(cacheBucket, CacheIndex.RecordKey, new MemoryStream(json), new ObjectWrite { ContentLength = json.Length }, CancellationToken.None);
    }

    /// <summary>The eviction index as its last flush wrote it.</summary>
    public static async Task<List<CacheEntry>> ReadIndexAsync(IObjectStore local, string cacheBucket)
    {
        try
        {
            await using var content = await local.GetObjectAsync(cacheBucket, CacheIndex.RecordKey, ObjectReadRequest.Whole, CancellationToken.None);
            return await JsonSerializer.DeserializeAsync<List<CacheEntry>>(content.Body, Json) ?? [];
        }
        catch (StorageException e) when (e.Error.Status == 404)
        {
            return [];
        }
    }

    private static async Task<ObjectInfo?> HeadAsync(IObjectStore local, string bucket, string key)
    {
        try
        {
            return await local.HeadObjectAsync(bucket, key, ReadConditions.None, CancellationToken.None);
        }
        catch (StorageException e) when (e.Error.Status == 404)
        {
            return null;
        }
    }

    private static async Task<List<ObjectInfo>> ListAsync(IObjectStore local, string bucket, string prefix)
    {
        var all = new List<ObjectInfo>();
        string? after = null;
        try
        {
            while (true)
            {
                var page = await local.ListObjectsAsync(bucket, new ListRequest(prefix, StartAfter: after), CancellationToken.None);
                all.AddRange(page.Objects);
                if (!page.IsTruncated) return all;
                after = page.NextStartAfter;
            }
        }
        catch (StorageException e) when (e.Error.Status == 404)
        {
            return all;
        }
    }
}
