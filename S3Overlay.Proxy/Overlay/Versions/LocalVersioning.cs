using System.Collections.Concurrent;
using S3Overlay.Storage;
using S3Overlay.Storage.Versions;
using S3Overlay.Storage.Errors;

namespace S3Overlay.Overlay.Versions;

/// <summary>
/// Whether the local bucket behind a bucket the remote backs keeps versions: its versioning is
/// the local bucket's (the remote is never asked to change), and a cold read must know it before
/// it stores a copy, since a copy stored at the key of a versioned bucket would be a version.
/// </summary>
/// <remarks>
/// Remembered for <see cref="Remembered"/>, so a cold read asks the local store once a minute per
/// bucket, not once per fill. A change made through this process is known at once; one made
/// through another replica sharing the store is learnt within that minute, during which this
/// one may still store a filled copy (a version) or stream a read it could have cached.
/// </remarks>
internal sealed class LocalVersioning([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, TimeProvider clock)
{
    public static readonly TimeSpan Remembered = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (BucketVersioning State, long At)> _known = new(StringComparer.Ordinal);

    /// <summary>The local bucket's state, as remembered; a bucket not (yet) made locally is unversioned.</summary>
    public async ValueTask<BucketVersioning> StateAsync(string bucket, CancellationToken ct)
    {
        if (_known.TryGetValue(bucket, out var known) && clock.GetElapsedTime(known.At) < Remembered) return known.State;
        return await ReadAsync(bucket, ct) ?? BucketVersioning.Unversioned;
    }

    /// <summary>Whether the bucket keeps versions (enabled or suspended): then nothing is filled into it.</summary>
    public async ValueTask<bool> KeepsVersionsAsync(string bucket, CancellationToken ct) => await StateAsync(bucket, ct) != BucketVersioning.Unversioned;

    /// <summary>Asks the local store; null when it has no such bucket.</summary>
    public async Task<BucketVersioning?> ReadAsync(string bucket, CancellationToken ct)
    {
        BucketVersioning state;
        try
        {
            state = await local.GetBucketVersioningAsync(bucket, ct);
        }
        catch (StorageException e) when (e.IsMissing)
        {
            _known[bucket] = (BucketVersioning.Unversioned, clock.GetTimestamp());
            return null;
        }
        _known[bucket] = (state, clock.GetTimestamp());
        return state;
    }

    /// <summary>This process changed it.</summary>
    public void Set(string bucket, BucketVersioning state) => _known[bucket] = (state, clock.GetTimestamp());

    /// <summary>The local bucket was deleted.</summary>
    public void Forget(string bucket) => _known.TryRemove(bucket, out _);
}
