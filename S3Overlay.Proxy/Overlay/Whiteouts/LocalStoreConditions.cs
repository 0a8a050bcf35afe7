using Microsoft.Extensions.Logging;
using S3Overlay.Storage.Errors;
using S3Overlay.Storage;

namespace S3Overlay.Overlay.Whiteouts;

/// <summary>
/// Whether the local store refuses a write made only over nothing (<c>If-None-Match: *</c>) where
/// an object exists. A fill stores its copy so, and a whiteout (an object at the key) then refuses
/// it: a delete that overtook the fill wins with nothing looked at again. A store that ignores the
/// condition (s3rver does) would let the fill replace the whiteout, so there a fill looks for one
/// before it stores (<see cref="WholeObjectFills"/>) and a delete writes its whiteout again after
/// a fill of this process it waited for.
/// </summary>
/// <remarks>Asked once a process, with a probe object in the cache bucket (three requests); until it has answered, the store is taken not to honour it.</remarks>
internal sealed class LocalStoreConditions([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, OverlaySettings settings, ILogger<LocalStoreConditions> logger)
{
    private Task<bool>? _honoured;

    /// <summary>What the probe said, or false while it has not (yet) answered.</summary>
    public bool Honoured => _honoured is { IsCompletedSuccessfully: true } known && known.Result;

    /// <summary>Whether the store honours the condition; asked the first time, again after a probe that failed.</summary>
    public async Task<bool> HonouredAsync()
    {
        var probe = _honoured ??= ProbeAsync();
        try
        {
            return await probe;
        }
        catch (Exception e)
        {
            _ = Interlocked.CompareExchange(ref _honoured, null, probe);
            logger.LogDebug(e, "Could not ask the local store whether it honours If-None-Match");
            return false;
        }
    }

    private async Task<bool> ProbeAsync()
    {
        await localBuckets.EnsureAsync(settings.CacheBucket, CancellationToken.None);
        // Named by the cache bucket first, as its other records of itself are.
        var key = $"{settings.CacheBucket}/if-none-match-probe-{Guid.NewGuid():N}";
        var write = new ObjectWrite { ContentLength = 0, OnlyIfAbsent = true, Durability = Durability.Unchecked };
        await local.PutObjectAsync(settings.CacheBucket, key, Stream.Null, write, CancellationToken.None);
        try
        {
            await local.PutObjectAsync(settings.CacheBucket, key, Stream.Null, write, CancellationToken.None);
            logger.LogInformation("The local store does not honour If-None-Match on writes: fills look for a whiteout before they store");
            return false;
        }
        catch (StorageException e) when (e.Fault == StorageFault.PreconditionFailed)
        {
            return true;
        }
        finally
        {
            await local.DeleteObjectAsync(settings.CacheBucket, key, CancellationToken.None);
        }
    }
}
