using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using S3Overlay.Telemetry;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Listing;
using S3Overlay.Overlay.LostLocal;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Versions;
using S3Overlay.Overlay.Whiteouts;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay's parts, each owning one job, wired once: <see cref="OverlayObjectStore"/>
/// coordinates them for S3 requests, and the admin API, warm jobs and the cache index flusher
/// get the one part they need, never the store's insides.
/// </summary>
public sealed class OverlayParts
{
    /// <summary>Held while the parts live: the spill folder is this process's (<see cref="SpillDirectory"/>).</summary>
    private readonly IDisposable _spillClaim;

    /// <param name="metrics">The host's instruments; a store built outside a host (unit tests) gets a meter of its own.</param>
    /// <param name="peers">The fleet this replica is one of; null for a proxy on its own.</param>
    public OverlayParts(IObjectStore local, IReadOnlyStore remote, OverlaySettings settings, TimeProvider clock, ILoggerFactory loggers, OverlayMetrics? metrics = null,
        Fleet.PeerSet? peers = null)
    {
        Metrics = metrics ??= OverlayMetrics.Standalone();
        var logger = Logger = loggers.CreateLogger<OverlayObjectStore>();
        Local = local;
        // Every part spills into this process's own folder inside the configured one.
        (var spillFolder, _spillClaim) = SpillDirectory.Claim(settings.SpillDirectory, logger);
        Settings = settings = settings with { SpillDirectory = spillFolder };
        Work = new BackgroundWork(loggers.CreateLogger<BackgroundWork>());
        Remote = new RemoteSource(remote, settings.Mapping, settings.RemoteBuckets, new NegativeLookupCache(settings.NegativeLookupTtl, clock, staleIfError: settings.StaleIfError),
            new RemoteListingCache(settings.ListingCacheTtl, settings.StaleIfError, clock), metrics);
        Func<string, bool> remoteBacked = bucket => Remote.BucketOf(bucket) is not null;
        Whiteouts = new WhiteoutIndex(local, remoteBacked, new LegacyWhiteouts(local, settings.CacheBucket, remoteBacked, logger));
        LocalConditions = new LocalStoreConditions(local, settings.CacheBucket, logger);
        // A fleet's replica accounts for, and evicts, what it owns, within its share of the budget.
        Cache = new CacheIndex(local, settings.CacheBucket, clock, logger, peers is null ? CacheIndex.RecordKey : CacheIndex.ReplicaRecordKey(peers.Self.Url));
        Records = new FillRecords(local, Remote, settings, clock, logger);
        Reconciler = new CacheReconciler(local, settings, Cache, Records, remoteBacked, logger, peers is null ? null : unit => peers.OwnerOf(unit.Bucket + "/" + unit.Key).IsSelf);
        var limits = settings.Limits;
        Evictor = new CacheEvictor(local, settings, Cache, Records, Remote, Work, Reconciler, logger, peers is null ? null : () => limits.ShareOf(peers.All.Count));
        LocalReads = new LocalReads(local, Cache, metrics);
        var slots = new FillSlots(settings.MaxFills);
        WholeFills = new WholeObjectFills(local, Remote, settings, Whiteouts, LocalConditions, Records, Cache, Evictor, LocalReads, Work, slots, clock, metrics, logger);
        OutageReads = new LocalOutageReads(new RemoteBackedKeys(), Cache, Remote, WholeFills);
        Fleet = peers is null ? null : new Fleet.FleetRouting(peers, Remote, metrics, loggers.CreateLogger<Fleet.FleetRouting>());
        ChunkMarkers = new ChunkMarkers(local, LocalConditions, logger);
        Chunks = new ChunkedReads(local, Remote, settings, Records, ChunkMarkers, Cache, Evictor, Work, slots, metrics, logger, Fleet);
        Listing = new MergedListing(local, Remote, Whiteouts,
            settings.DegradedListings ? new DegradedListing(local, Remote, Records, settings.CacheBucket) : null);
        Versioning = new LocalVersioning(local, clock);
        Versions = new MergedVersions(local, Remote, settings.MergeListings);
        Inspector = new OverlayInspector(local, Remote, settings, Records, Whiteouts, Evictor);
        Conditions = new ConditionalWrites(this);
        Work.TryStart("whiteout move", Whiteouts.Legacy.RunAsync);
    }

    internal IObjectStore Local { get; }
    internal ILogger Logger { get; }
    internal OverlaySettings Settings { get; }
    internal FillRecords Records { get; }
    internal LocalReads LocalReads { get; }
    internal WholeObjectFills WholeFills { get; }
    internal ChunkedReads Chunks { get; }
    internal ChunkMarkers ChunkMarkers { get; }
    internal LocalOutageReads OutageReads { get; }
    internal MergedListing Listing { get; }
    internal ConditionalWrites Conditions { get; }
    internal LocalStoreConditions LocalConditions { get; }
    internal LocalVersioning Versioning { get; }
    internal MergedVersions Versions { get; }

    public BackgroundWork Work { get; }
    public RemoteSource Remote { get; }
    public WhiteoutIndex Whiteouts { get; }
    public CacheIndex Cache { get; }
    public CacheEvictor Evictor { get; }
    /// <summary>The start-up reconcile of the eviction index with the store; tests await its <see cref="CacheReconciler.Done"/>.</summary>
    public CacheReconciler Reconciler { get; }
    public IOverlayInspector Inspector { get; }
    public OverlayMetrics Metrics { get; }

    /// <summary>Who owns what among the fleet's replicas, and asking the owner; null for a proxy on its own.</summary>
    public Fleet.FleetRouting? Fleet { get; }

    /// <summary>Fills in flight now: whole objects and chunks (for status reports).</summary>
    public int FillsInFlight => WholeFills.InFlight + Chunks.InFlight;
}
