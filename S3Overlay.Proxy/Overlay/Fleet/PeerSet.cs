namespace S3Overlay.Overlay.Fleet;

/// <summary>
/// The fleet's replicas as this one knows them now, and who owns a key among those up: every
/// replica with the same list computes the same owner. The list changes only by DNS (<see cref="PeerResolver"/>).
/// </summary>
internal sealed class PeerSet : IDisposable
{
    private readonly FleetSettings _settings;
    private readonly TimeProvider _clock;
    private Peer[] _peers;

    public PeerSet(FleetSettings settings, TimeProvider clock)
    {
        _settings = settings;
        _clock = clock;
        Self = new Peer(settings.Self, isSelf: true, settings, clock);
        _peers = [.. settings.Peers.Select(url => url == settings.Self ? Self : new Peer(url, isSelf: false, settings, clock))];
        if (_peers.Length == 0) _peers = [Self];
    }

    public FleetSettings Settings => _settings;
    public Peer Self { get; }
    public IReadOnlyList<Peer> All => Volatile.Read(ref _peers);

    /// <summary>Raised when the list changed (a replica came or went): ownership moved.</summary>
    public event Action? Changed;

    /// <summary>The replica that owns <paramref name="key"/> among those not held as down (this one always counts).</summary>
    public Peer OwnerOf(string key)
    {
        var peers = Volatile.Read(ref _peers);
        if (peers.Length == 1) return peers[0];
        Peer[]? up = null;
        foreach (var peer in peers)
            if (peer.IsDown) { up = [.. peers.Where(p => !p.IsDown)]; break; }
        return Rendezvous.Owner(up ?? peers, key, p => p.Seed);
    }

    /// <summary>Takes <paramref name="urls"/> (this replica's own is added) as the fleet; peers still in it keep their state.</summary>
    public void Replace(IEnumerable<Uri> urls)
    {
        var old = All;
        var wanted = urls.Append(Self.Url).Distinct().OrderBy(u => u.ToString(), StringComparer.Ordinal).ToList();
        if (wanted.SequenceEqual(old.Select(p => p.Url).OrderBy(u => u.ToString(), StringComparer.Ordinal))) return;
        var next = wanted.Select(url => old.FirstOrDefault(p => p.Url == url) ?? new Peer(url, isSelf: false, _settings, _clock)).ToArray();
        Volatile.Write(ref _peers, next);
        foreach (var gone in old.Where(p => !next.Contains(p))) gone.Dispose();
        Changed?.Invoke();
    }

    public void Dispose()
    {
        foreach (var peer in All) peer.Dispose();
    }
}
