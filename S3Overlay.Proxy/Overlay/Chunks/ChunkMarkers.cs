using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Markers;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Chunks;

/// <summary>
/// The marker at the key of a remote object cached in chunks (<see cref="MarkerObject.Chunked"/>):
/// the key's first read finds it, and only then reads the object's record (its manifest) in the
/// cache bucket. A key that holds nothing holds no chunked object either, so a cold read goes
/// from its one miss straight to the remote: over an S3 local store the record's look-up was a
/// round trip of every cold fill, there only to find the manifest of an object cached in chunks.
/// </summary>
/// <remarks>
/// Written only over nothing, beside the record that names a chunked generation, so it never
/// replaces a client's object or a whiteout; a client's write or a delete replaces it. It says
/// only "read the record": one left behind (its chunks evicted, the remote's object replaced by a
/// small one or gone) costs that read and nothing else. Kept only on a local store that refuses a
/// write over an object (<see cref="LocalStoreConditions"/>); on one that does not, a marker could
/// replace a client's object written meanwhile, so none is written there and every miss reads the
/// record, as it must. A chunked object cached before markers were kept is found by the record's
/// write that its next read makes (refused, the record is read again) and marked then.
/// </remarks>
internal sealed class ChunkMarkers([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, LocalStoreConditions conditions,
    Keys.LocalKeys localKeys, ILogger<ChunkMarkers> logger)
{
    public static bool IsMarker(ObjectInfo info) => MarkerObject.Chunked.Is(info);

    /// <summary>The marker's ETag, the same on every store (the MD5 of its bytes): a read may ask to be told it met one (<see cref="ObjectReadRequest.NotModifiedIfETag"/>).</summary>
    public static string ETag => MarkerObject.Chunked.ETag;

    /// <summary>The marker at <paramref name="key"/>, as a write that replaces exactly it names it.</summary>
    public static ObjectInfo At(string key) => new(key, MarkerObject.Chunked.Size, ETag, DateTimeOffset.MinValue, new ObjectMetadata());

    /// <summary>Whether markers are kept: then a key that holds nothing has no record worth reading.</summary>
    public bool Kept => conditions.Honoured;

    /// <summary>Marks the key as cached in chunks, unless it holds anything. Never throws: a marker not written costs a later read of the record.</summary>
    /// <remarks>
    /// Asks the store first if this process has not yet (its first fill may be this one): a
    /// chunked object recorded unmarked while the answer was pending would, once the answer is in,
    /// be missed by every whole read (nothing at the key), each asking the remote for it whole.
    /// </remarks>
    public async Task MarkAsync(string bucket, string key)
    {
        if (!await conditions.HonouredAsync()) return;
        localKeys.Note(bucket, key);
        try
        {
            await localBuckets.EnsureAsync(bucket, CancellationToken.None);
            await MarkerObject.Chunked.WriteAsync(local, bucket, key, new WriteCondition(OnlyIfAbsent: true), CancellationToken.None);
        }
        catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed)
        {
            // Marked already, or a client's object or a whiteout holds the key: either way, not ours.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not mark {Bucket}/{Key} as cached in chunks", bucket, key);
        }
    }
}
