using S3Overlay.Storage.S3;

namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// One replica of the fleet as this one sees it: its URL, the S3 client that asks it (signed with
/// the root key, marked as forwarded), and whether it is skipped for now because it did not answer.
/// </summary>
internal sealed class Peer : IDisposable
{
    private readonly TimeProvider _clock;
    private long _downUntil; // UTC ticks; 0: up

    public Peer(Uri url, bool isSelf, FleetSettings settings, TimeProvider clock)
    {
        Url = url;
        IsSelf = isSelf;
        Seed = Rendezvous.Hash(url.ToString());
        _clock = clock;
        if (isSelf) return;
        Store = Client(PeerMark.Value);
        ChunkStore = Client(PeerMark.ChunkValue);

        S3ObjectStore Client(string mark) => new(new S3StoreOptions("peer", url, AccessKey: settings.AccessKey, SecretKey: settings.SecretKey)
        {
            RequestTimeout = settings.Timeout,
            ConnectTimeout = settings.Timeout,
            SignedHeader = (PeerMark.Header, mark),
        }, clock);
    }

    public Uri Url { get; }
    public bool IsSelf { get; }

    /// <summary>The peer's weight seed for <see cref="Rendezvous"/>: the same on every replica.</summary>
    public ulong Seed { get; }

    /// <summary>The S3 API of the peer, for an object's miss (null for this replica).</summary>
    public S3ObjectStore? Store { get; }

    /// <summary>The same, for one chunk's fill (<see cref="PeerMark.ChunkValue"/>).</summary>
    public S3ObjectStore? ChunkStore { get; }

    public bool IsDown => !IsSelf && _clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _downUntil);

    public string State => IsSelf ? "self" : IsDown ? "down" : "up";

    /// <summary>Misses this replica forwarded to the peer, answered.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);
    private long _forwarded;

    /// <summary>Times the peer did not answer (and was skipped for a while after).</summary>
    public long Failures => Interlocked.Read(ref _failures);
    private long _failures;

    public void Answered() => Interlocked.Increment(ref _forwarded);

    public void MarkDown(TimeSpan duration)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Exchange(ref _downUntil, (_clock.GetUtcNow() + duration).UtcTicks);
    }

    public void Dispose()
    {
        Store?.Dispose();
        ChunkStore?.Dispose();
    }
}
