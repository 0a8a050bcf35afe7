using Microsoft.Extensions.Logging;
using S3Overlay.Overlay.Chunks;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Fills;
using S3Overlay.Overlay.Listing;
using S3Overlay.Overlay.LostLocal;
using S3Overlay.Overlay.Records;
using S3Overlay.Overlay.Remote;
using S3Overlay.Overlay.Versions;
using S3Overlay.Overlay.Whiteouts;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Overlay;

/// <summary>
/// The overlay's parts as services, one singleton each, built by the container from their
/// constructors: the host registers them (<c>AddOverlay</c>), and so does a test that wants an
/// overlay over two stores without a host.
/// </summary>
/// <remarks>
/// A part whose constructor takes only services is registered by its type. A part that needs a
/// value taken from the settings or the fleet (a bucket name, where a record is kept, a share of
/// the budget) is made by a factory that still takes every service it uses from the container.
/// </remarks>
internal static class OverlayServices
{
    /// <summary>The store the overlay keeps its copies in, as a keyed service: the plain <see cref="IObjectStore"/> is the overlay itself.</summary>
    public const string LocalStore = "overlay-local";

    /// <summary>The remote the overlay reads through to, as a keyed service (health checks).</summary>
    public const string RemoteStore = "remote";

    /// <summary>
    /// Registers <see cref="OverlayObjectStore"/> and its parts over <paramref name="local"/> and
    /// <paramref name="remote"/>. A fleet's <see cref="Fleet.PeerSet"/> must be registered before.
    /// </summary>
    public static IServiceCollection AddOverlayStore(this IServiceCollection services, OverlaySettings settings,
        Func<IServiceProvider, IObjectStore> local, Func<IServiceProvider, IReadOnlyStore> remote)
    {
        services.AddKeyedSingleton(LocalStore, (sp, _) => local(sp));
        services.AddKeyedSingleton(RemoteStore, (sp, _) => remote(sp));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OverlayMetrics>();
        // Every part spills into this process's own folder inside the configured one.
        services.AddSingleton(sp => new SpillFolderClaim(settings.SpillDirectory, sp.GetRequiredService<ILogger<OverlayObjectStore>>()));
        services.AddSingleton(sp => settings with { SpillDirectory = sp.GetRequiredService<SpillFolderClaim>().Folder });

        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<LocalBuckets>();
        services.AddSingleton(sp => new RemoteSource(sp.GetRequiredKeyedService<IReadOnlyStore>(RemoteStore), settings.Mapping, settings.RemoteBuckets,
            new NegativeLookupCache(settings.NegativeLookupTtl, sp.GetRequiredService<TimeProvider>(), staleIfError: settings.StaleIfError),
            new RemoteListingCache(settings.ListingCacheTtl, settings.StaleIfError, sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<OverlayMetrics>()));
        services.AddSingleton(sp => new LegacyWhiteouts(Local(sp), sp.GetRequiredService<LocalBuckets>(), settings.CacheBucket, RemoteBacked(sp),
            sp.GetRequiredService<ILogger<LegacyWhiteouts>>()));
        services.AddSingleton(sp => new WhiteoutIndex(Local(sp), sp.GetRequiredService<LocalBuckets>(), RemoteBacked(sp), sp.GetRequiredService<LegacyWhiteouts>()));
        services.AddSingleton(sp => new LocalStoreConditions(Local(sp), sp.GetRequiredService<LocalBuckets>(), settings.CacheBucket,
            sp.GetRequiredService<ILogger<LocalStoreConditions>>()));
        // A fleet's replica accounts for, and evicts, what it owns, within its share of the budget.
        services.AddSingleton(sp => new CacheIndex(Local(sp), sp.GetRequiredService<LocalBuckets>(), settings.CacheBucket, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CacheIndex>>(), Peers(sp) is { } peers ? CacheIndex.ReplicaRecordKey(peers.Self.Url) : CacheIndex.RecordKey));
        // What the remote's change events said lately (empty, and free, with events off): fills consult it before they store.
        services.AddSingleton<Events.RemoteChanges>();
        services.AddSingleton<FillRecords>();
        services.AddSingleton(sp => new CacheReconciler(Local(sp), sp.GetRequiredService<OverlaySettings>(), sp.GetRequiredService<CacheIndex>(),
            sp.GetRequiredService<FillRecords>(), RemoteBacked(sp), sp.GetRequiredService<ILogger<CacheReconciler>>(),
            Peers(sp) is { } peers ? unit => peers.OwnerOf(unit.Bucket + "/" + unit.Key).IsSelf : null));
        services.AddSingleton(sp => new CacheEvictor(Local(sp), sp.GetRequiredService<OverlaySettings>(), sp.GetRequiredService<CacheIndex>(),
            sp.GetRequiredService<FillRecords>(), sp.GetRequiredService<RemoteSource>(), sp.GetRequiredService<BackgroundWork>(),
            sp.GetRequiredService<CacheReconciler>(), sp.GetRequiredService<Keys.LocalKeys>(), sp.GetRequiredService<ILogger<CacheEvictor>>(),
            Peers(sp) is { } peers ? () => settings.Limits.ShareOf(peers.All.Count) : null));
        services.AddSingleton<LocalReads>();
        services.AddSingleton(sp => new Keys.LocalKeys(Local(sp), RemoteBacked(sp), sp.GetRequiredService<BackgroundWork>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Keys.LocalKeys>>(), kept: settings.EarlyRemoteReads && Peers(sp) is null));
        services.AddSingleton(new FillSlots(settings.MaxFills));
        services.AddSingleton<WholeObjectFills>();
        services.AddSingleton<RemoteBackedKeys>();
        services.AddSingleton<LocalOutageReads>();
        // A proxy on its own has no fleet to route through: the parts that take one get none.
        if (services.Any(d => d.ServiceType == typeof(Fleet.PeerSet))) services.AddSingleton<Fleet.FleetRouting>();
        services.AddSingleton<ChunkMarkers>();
        services.AddSingleton<ChunkedReads>();
        if (settings.DegradedListings)
            services.AddSingleton(sp => new DegradedListing(Local(sp), sp.GetRequiredService<RemoteSource>(), sp.GetRequiredService<FillRecords>(), settings.CacheBucket));
        services.AddSingleton<MergedListing>();
        services.AddSingleton<LocalVersioning>();
        services.AddSingleton(sp => new MergedVersions(Local(sp), sp.GetRequiredService<RemoteSource>(), settings.MergeListings,
            new DeletedNullVersions(Local(sp), sp.GetRequiredService<LocalBuckets>(), settings.CacheBucket)));
        services.AddSingleton<IOverlayInspector, OverlayInspector>();
        services.AddSingleton<ConditionalWrites>();
        services.AddSingleton<OverlayParts>();
        services.AddSingleton<OverlayObjectStore>();
        return services;
    }

    private static IObjectStore Local(IServiceProvider sp) => sp.GetRequiredKeyedService<IObjectStore>(LocalStore);

    private static Fleet.PeerSet? Peers(IServiceProvider sp) => sp.GetService<Fleet.PeerSet>();

    /// <summary>Whether the remote backs a local bucket: a bucket it does not has nothing to hide, and nothing filled to reconcile.</summary>
    private static Func<string, bool> RemoteBacked(IServiceProvider sp)
    {
        var remote = sp.GetRequiredService<RemoteSource>();
        return bucket => remote.BucketOf(bucket) is not null;
    }
}
