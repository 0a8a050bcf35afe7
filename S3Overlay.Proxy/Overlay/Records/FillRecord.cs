using System.Text.Json;
using System.Text.Json.Serialization;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Records;

/// <summary>
/// The record of one remote object the overlay filled (whole or in chunks; stored under the key
/// <see cref="CacheKeys.Manifest"/>), kept in the cache bucket of the local
/// store (so every proxy sharing that store knows it too). For a chunked object it is the
/// manifest and the visibility gate: written only after a chunk of the generation it names is stored, and with
/// it the object is served (HEAD included) without asking the remote. For an object filled
/// whole, the record rides in the copy's own metadata (<see cref="FillMetadata"/>), so
/// revalidation and eviction know the copy came from the remote; one under this key is a later
/// revalidation's check of that copy, or an older fill's record.
/// </summary>
/// <param name="ChunkSize">The chunk size of a chunked object; 0 when the object was filled whole into its local bucket.</param>
/// <param name="ValidatedAt">When the remote last confirmed this ETag (the fill, or a revalidation).</param>
internal sealed record FillRecord(
    string RemoteBucket,
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    ObjectMetadata Metadata,
    long ChunkSize,
    DateTimeOffset ValidatedAt)
{
    [JsonIgnore] public bool IsChunked => ChunkSize > 0;

    public ObjectInfo ToObjectInfo(string key) => new(key, Size, ETag, LastModified, Metadata);

    public static FillRecord Of(string remoteBucket, ObjectInfo remote, long chunkSize, DateTimeOffset now) =>
        new(remoteBucket, remote.Key, remote.Size, remote.ETag, remote.LastModified, remote.Metadata, chunkSize, now);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, OverlayJson.Default.FillRecord);

    public static async Task<FillRecord?> ReadAsync(IObjectStore local, string cacheBucket, string remoteBucket, string key, CancellationToken ct) =>
        (await ReadSeenAsync(local, cacheBucket, remoteBucket, key, ct)).Record;

    /// <summary>The record, and the version of it a write that replaces it must name (<see cref="RecordSeen"/>).</summary>
    public static async Task<RecordSeen> ReadSeenAsync(IObjectStore local, string cacheBucket, string remoteBucket, string key, CancellationToken ct)
    {
        string? version = null;
        try
        {
            await using var content = await local.TryGetObjectAsync(cacheBucket, CacheKeys.Manifest(remoteBucket, key), ObjectReadRequest.Whole, ct);
            if (content is null) return RecordSeen.Nothing;
            version = content.Info.ETag;
            return new RecordSeen(await JsonSerializer.DeserializeAsync(content.Body, OverlayJson.Default.FillRecord, ct), version);
        }
        catch (Storage.Errors.StorageException e) when (e.IsMissing || e.Fault == Storage.Errors.StorageFault.StoreFailed)
        {
            return RecordSeen.Nothing;
        }
        // A manifest we cannot read is no manifest: the object is fetched again. That includes one
        // cut short mid-read (a local store that rewrites objects in place, as s3rver does).
        catch (Exception e) when (e is JsonException || (e is IOException && !ct.IsCancellationRequested))
        {
            return new RecordSeen(null, version);
        }
    }

    /// <param name="replacing">Null: whatever is there. Else only exactly that version (none: only where there is no record); PreconditionFailed otherwise.</param>
    public async Task WriteAsync(IObjectStore local, string cacheBucket, RecordSeen? replacing, CancellationToken ct)
    {
        var json = ToJson();
        await local.PutObjectAsync(cacheBucket, CacheKeys.Manifest(RemoteBucket, Key), new MemoryStream(json),
            new ObjectWrite
            {
                ContentLength = json.Length,
                Metadata = new ObjectMetadata { ContentType = "application/json" },
                Durability = Durability.Unchecked, // ReadAsync takes a record a power cut tore for none: it costs a remote request
                OnlyIfAbsent = replacing is { Version: null },
                IfMatch = replacing?.Version,
            }, ct);
    }
}
