namespace S3Overlay.Configuration.Catalog;

/// <summary>Several replicas over one shared local store (Overlay/Fleet/FleetSettings.cs).</summary>
internal static class FleetCatalog
{
    public static readonly TextSetting Peers = new("S3_OVERLAY_PEERS", null,
        "Every replica's URL, comma-separated, as the replicas reach each other (`http://10.0.0.1:8000,http://10.0.0.2:8000`); or one URL whose host name resolves to every replica (a Kubernetes headless service), resolved again every `S3_OVERLAY_PEERS_REFRESH`; see [Fleet](fleet.md)")
    { Note = "no fleet" };

    public static readonly TextSetting PeerUrl = new("S3_OVERLAY_PEER_URL", null,
        "This replica's own URL, as the others reach it: one of the list, or with the name's scheme and port (`http://$(POD_IP):8000`)")
    { Note = "required with peers" };

    public static readonly DurationSetting PeerTimeout = new("S3_OVERLAY_PEER_TIMEOUT", TimeSpan.FromSeconds(5),
        "How long an owner may take to begin its answer before it is skipped")
    { Positive = true };

    public static readonly DurationSetting PeerDownFor = new("S3_OVERLAY_PEER_DOWN_FOR", TimeSpan.FromSeconds(10),
        "How long a peer that did not answer is skipped");

    public static readonly DurationSetting PeersRefresh = new("S3_OVERLAY_PEERS_REFRESH", TimeSpan.FromSeconds(10),
        "How often the DNS name is resolved again (a failed lookup keeps the list it had)")
    { Positive = true };
}
