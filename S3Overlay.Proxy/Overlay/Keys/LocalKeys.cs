using Microsoft.Extensions.Logging;
using S3Overlay.Storage;
using S3Overlay.Overlay.Remote;

namespace S3Overlay.Overlay.Keys;

/// <summary>
/// The keys the local store holds in the buckets the remote backs (objects, whiteouts, chunk
/// markers), as far as this process knows: loaded by one listing of each such bucket as the
/// overlay starts, then kept by this process's own writes, deletes, fills and reads. A key it
/// lacks is one a cold read may ask the remote for at once, beside the local store
/// (<see cref="Fills.EarlyRemoteRead"/>), as nginx keeps its cache's keys in memory to know a miss
/// without a look at the disk.
/// </summary>
/// <remarks>
/// Never an answer on its own: the local store is read all the same, and what it holds wins. So
/// a key another process wrote (a replica sharing the store outside a fleet) costs one remote
/// GET too many at this process's first read of it, which then learns it; a key another process
/// removed from under it only goes without the early start (an eviction here forgets it).
/// Bounded: past its capacity (<see cref="DefaultCapacity"/>) the index gives up (no early reads until the process restarts)
/// rather than grow; a key is its <see cref="KeyDigest"/>, 16 bytes, about 28 with the set's
/// own, so 28 MB at the default.
/// </remarks>
/// <param name="peers">A fleet's replicas: the index is kept only with early reads on (S3_OVERLAY_EARLY_REMOTE_READS) and no fleet; otherwise nothing is kept, nor listed.</param>
internal sealed class LocalKeys([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, RemoteSource remote, OverlaySettings settings, BackgroundWork work, TimeProvider clock, ILogger<LocalKeys> logger,
    Fleet.PeerSet? peers = null)
{
    // In a fleet the replicas fill into the shared store what they own: a key one of them lacks may be another's.
    private readonly bool _kept = settings.EarlyRemoteReads && peers is null;

    public const int DefaultCapacity = 1_000_000;

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly HashSet<UInt128> _held = [];
    private bool _full;
    private volatile bool _loaded;
    private int _listing;
    private long _failedAt;

    /// <summary>Whether the key is known not to be held locally; false until the index has loaded (which this starts), and once it gave up.</summary>
    public bool KnownAbsent(string bucket, string key)
    {
        if (!_loaded)
        {
            StartLoading();
            return false;
        }
        var id = KeyDigest.Of(bucket, key);
        lock (_lock) return !_full && !_held.Contains(id);
    }

    /// <summary>The local store holds something at the key, or is about to (a write, a delete's whiteout, a fill starts).</summary>
    public void Note(string bucket, string key)
    {
        if (Tracked(bucket, key) is { } id)
            lock (_lock) Add(id);
    }

    /// <summary>
    /// The local store no longer holds the key: an eviction deleted its copy. A write that raced
    /// the delete and was noted first is forgotten with it, which costs that key's next cold read
    /// one remote GET let go, which learns it again.
    /// </summary>
    public void Forget(string bucket, string key)
    {
        if (Tracked(bucket, key) is { } id)
            lock (_lock) _held.Remove(id);
    }

    /// <summary>The key's digest where this index keeps keys (early reads on, not given up, a bucket the remote backs); else null.</summary>
    private UInt128? Tracked(string bucket, string key) => _kept && !_full && remote.Backs(bucket) ? KeyDigest.Of(bucket, key) : null;

    /// <summary>
    /// Lists every local bucket the remote backs, once, in the background; a listing that failed
    /// (the local store down as the overlay starts) is tried again by a read at least
    /// <see cref="RetryAfter"/> later, and until one succeeds nothing is known absent.
    /// </summary>
    public void StartLoading()
    {
        if (!_kept || _loaded || Interlocked.CompareExchange(ref _listing, 1, 0) != 0) return;
        if (Interlocked.Read(ref _failedAt) is var failed and not 0 && clock.GetElapsedTime(failed) < RetryAfter || !work.TryStart("local key listing", LoadAsync))
            Volatile.Write(ref _listing, 0);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        try
        {
            await ListAllAsync(ct);
            _loaded = true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _failedAt, clock.GetTimestamp());
            logger.LogWarning(e, "Could not list the local store's keys: cold reads ask it before the remote until a listing succeeds (tried again in {Seconds} s at the earliest)", RetryAfter.TotalSeconds);
        }
        finally
        {
            Volatile.Write(ref _listing, 0);
        }
    }

    private async Task ListAllAsync(CancellationToken ct)
    {
        foreach (var bucket in await local.ListBucketsAsync(ct))
        {
            if (!remote.Backs(bucket.Name)) continue;
            string? after = null;
            do
            {
                var page = await local.ListObjectsAsync(bucket.Name, new ListRequest("", null, after, 1000), ct);
                lock (_lock)
                    foreach (var entry in page.Objects) Add(KeyDigest.Of(bucket.Name, entry.Key));
                if (_full) return;
                after = page.IsTruncated ? page.NextStartAfter : null;
            }
            while (after is not null);
        }
    }

    // Under _lock.
    private void Add(UInt128 id)
    {
        if (_full || !_held.Add(id) || _held.Count <= DefaultCapacity) return;
        _full = true;
        _held.Clear();
        _held.TrimExcess();
        logger.LogInformation("The local store holds more than {Capacity} keys in buckets the remote backs: cold reads ask it before the remote from now on", DefaultCapacity);
    }
}
