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
/// Every part is registered as itself. What a part needs of the settings it takes from the one
/// <see cref="OverlaySettings"/>; what it needs of the fleet, from the <see cref="Fleet.PeerSet"/>
/// when there is one (an optional parameter: a proxy on its own has none). Nothing is started
/// while the parts are built: the work the overlay begins with is <see cref="OverlayStartup"/>'s.
/// </remarks>
internal static class OverlayServices
{
    /// <summary>The store the overlay keeps its copies in, as a keyed service: the plain <see cref="IObjectStore"/> is the overlay itself.</summary>
    public const string LocalStore = "overlay-local";

    /// <summary>
    /// The local store's staging (<see cref="IStagingStore"/>), as a keyed service registered only
    /// when the local store takes staged files: the fills' spills are then made where the store
    /// renames them into place.
    /// </summary>
    public const string LocalStaging = "overlay-local-staging";

    /// <summary>The remote the overlay reads through to, as a keyed service (health checks).</summary>
    public const string RemoteStore = "remote";

    /// <summary>
    /// Registers <see cref="OverlayObjectStore"/> and its parts over <paramref name="local"/> and
    /// <paramref name="remote"/>. A fleet's <see cref="Fleet.PeerSet"/> must be registered before.
    /// </summary>
    /// <param name="staging">The staging of <paramref name="local"/> when it takes staged files; null when every fill must stream to it.</param>
    public static IServiceCollection AddOverlayStore(this IServiceCollection services, OverlaySettings settings,
        Func<IServiceProvider, IObjectStore> local, Func<IServiceProvider, IReadOnlyStore> remote, Func<IServiceProvider, IStagingStore>? staging)
    {
        services.AddKeyedSingleton(LocalStore, (sp, _) => local(sp));
        if (staging is not null) services.AddKeyedSingleton(LocalStaging, (sp, _) => staging(sp));
        services.AddKeyedSingleton(RemoteStore, (sp, _) => remote(sp));
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OverlayMetrics>();
        // Every part spills into this process's own folder inside the configured one.
        services.AddSingleton<SpillFolderClaim>();

        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<LocalBuckets>();
        services.AddSingleton<RemoteSource>();
        services.AddSingleton<LegacyWhiteouts>();
        services.AddSingleton<WhiteoutIndex>();
        services.AddSingleton<LocalStoreConditions>();
        // A fleet's replica accounts for, and evicts, what it owns, within its share of the budget.
        services.AddSingleton<CacheIndex>();
        // What the remote's change events said lately (empty, and free, with events off): fills consult it before they store.
        services.AddSingleton<Events.RemoteChanges>();
        services.AddSingleton<FillRecords>();
        services.AddSingleton<CacheReconciler>();
        services.AddSingleton<CacheEvictor>();
        services.AddSingleton<LocalReads>();
        services.AddSingleton<Keys.LocalKeys>();
        services.AddSingleton<FillSlots>();
        services.AddSingleton<WholeObjectFills>();
        services.AddSingleton<RemoteBackedKeys>();
        services.AddSingleton<LocalOutageReads>();
        // A proxy on its own has no fleet to route through: the parts that take one get none.
        if (services.Any(d => d.ServiceType == typeof(Fleet.PeerSet))) services.AddSingleton<Fleet.FleetRouting>();
        services.AddSingleton<ChunkMarkers>();
        services.AddSingleton<ChunkedReads>();
        if (settings.DegradedListings) services.AddSingleton<DegradedListing>();
        services.AddSingleton<MergedListing>();
        services.AddSingleton<LocalVersioning>();
        services.AddSingleton<DeletedNullVersions>();
        services.AddSingleton<MergedVersions>();
        services.AddSingleton<IOverlayInspector, OverlayInspector>();
        services.AddSingleton<ConditionalWrites>();
        services.AddSingleton<MergedBuckets>();
        services.AddSingleton<Keys.ClientWrites>();
        services.AddSingleton<WhiteoutDeletes>();
        services.AddSingleton<StackedVersions>();
        services.AddSingleton<ChunkedObjectReads>();
        services.AddSingleton<OverlayReads>();
        services.AddSingleton<OverlayObjectStore>();
        services.AddHostedService<OverlayStartup>();
        return services;
    }
}
