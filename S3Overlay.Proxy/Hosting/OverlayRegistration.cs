using S3Overlay.Admin;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;
using S3Overlay.Telemetry;

namespace S3Overlay.Hosting;

/// <summary>Puts the overlay in front of whatever local store is registered, when a remote is configured.</summary>
public static class OverlayRegistration
{
    /// <summary>The remote store, as a keyed service (health checks).</summary>
    public const string RemoteKey = "remote";

    /// <param name="remote">Creates the remote store the overlay reads through to.</param>
    public static IServiceCollection AddOverlay(this IServiceCollection services, OverlaySettings settings, Func<IServiceProvider, IReadOnlyStore> remote)
    {
        var local = services.TakeObjectStore();
        services.TryAddSingleton<OverlayMetrics>();
        services.AddSingleton(settings);
        services.AddKeyedSingleton<IReadOnlyStore>(RemoteKey, (sp, _) => remote(sp));
        services.AddSingleton(sp => new OverlayParts(
            local(sp), sp.GetRequiredKeyedService<IReadOnlyStore>(RemoteKey), settings,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<OverlayMetrics>(),
            sp.GetService<Overlay.Fleet.PeerSet>()));
        // Owned by the container (disposed with it) even when a decorator wraps it.
        services.AddSingleton(sp => new OverlayObjectStore(sp.GetRequiredService<OverlayParts>()));
        services.AddSingleton(new Storage.FileSystem.ExactNameGuard("the overlay's cache bucket"));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<OverlayObjectStore>());
        // The narrow parts the admin API, warm jobs and pages use; S3 requests go through IObjectStore.
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Evictor);
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Cache);
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Whiteouts);
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Remote);
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Work);
        services.AddSingleton(sp => sp.GetRequiredService<OverlayParts>().Inspector);
        services.AddHostedService<CacheIndexFlusher>();
        services.AddSingleton<WarmJobs>();
        return services;
    }
}
