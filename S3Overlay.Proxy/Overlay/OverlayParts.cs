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
/// The parts <see cref="OverlayObjectStore"/> coordinates, each made once by the container
/// (<see cref="OverlayServices"/>): one parameter for the store rather than twenty. Whatever else
/// uses a part (the admin API, warm jobs, the cache index flusher) takes that part alone.
/// </summary>
internal sealed class OverlayParts
{
    /// <param name="fleet">Who owns what among the fleet's replicas; null for a proxy on its own.</param>
    public OverlayParts([FromKeyedServices(OverlayServices.LocalStore)] IObjectStore local, LocalBuckets localBuckets, OverlaySettings settings,
        OverlayMetrics metrics, ILogger<OverlayObjectStore> logger, RemoteSource remote, FillRecords records, LocalReads localReads,
        WholeObjectFills wholeFills, ChunkedReads chunks, ChunkMarkers chunkMarkers, LocalOutageReads outageReads, MergedListing listing, ConditionalWrites conditions,
        LocalStoreConditions localConditions, LocalVersioning versioning, MergedVersions versions, WhiteoutIndex whiteouts, CacheIndex cache,
        CacheEvictor evictor, Keys.LocalKeys localKeys, Fleet.FleetRouting? fleet = null)
    {
        Local = local;
        LocalBuckets = localBuckets;
        Settings = settings;
        Metrics = metrics;
        Logger = logger;
        Remote = remote;
        Records = records;
        LocalReads = localReads;
        WholeFills = wholeFills;
        Chunks = chunks;
        ChunkMarkers = chunkMarkers;
        OutageReads = outageReads;
        Listing = listing;
        Conditions = conditions;
        LocalConditions = localConditions;
        Versioning = versioning;
        Versions = versions;
        Whiteouts = whiteouts;
        Cache = cache;
        Evictor = evictor;
        LocalKeys = localKeys;
        Fleet = fleet;
    }

    internal IObjectStore Local { get; }
    internal LocalBuckets LocalBuckets { get; }
    internal ILogger Logger { get; }
    internal OverlaySettings Settings { get; }
    internal OverlayMetrics Metrics { get; }
    internal RemoteSource Remote { get; }
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
    internal WhiteoutIndex Whiteouts { get; }
    internal CacheIndex Cache { get; }
    internal CacheEvictor Evictor { get; }
    internal Keys.LocalKeys LocalKeys { get; }
    internal Fleet.FleetRouting? Fleet { get; }

    /// <summary>Fills in flight now: whole objects and chunks (for status reports).</summary>
    internal int FillsInFlight => WholeFills.InFlight + Chunks.InFlight;
}
