using Microsoft.Extensions.Logging;
using S3Overlay.Overlay;
using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>Puts the overlay in front of whatever local store is registered, when a remote is configured.</summary>
public static class OverlayRegistration
{
    /// <summary>The remote store, as a keyed service (health checks, the admin API).</summary>
    public const string RemoteKey = "remote";

    /// <param name="remote">Creates the remote store the overlay reads through to.</param>
    public static IServiceCollection AddOverlay(this IServiceCollection services, OverlaySettings settings, Func<IServiceProvider, IObjectStore> remote)
    {
        var local = services.TakeObjectStore();
        services.AddSingleton(settings);
        services.AddKeyedSingleton<IObjectStore>(RemoteKey, (sp, _) => remote(sp));
        // Registered as itself too, for what needs more than the seam (the admin API, reports).
        services.AddSingleton(sp => new OverlayObjectStore(
            local(sp), sp.GetRequiredKeyedService<IObjectStore>(RemoteKey), settings,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OverlayObjectStore>>()));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<OverlayObjectStore>());
        services.AddHostedService<S3Overlay.Overlay.Eviction.CacheIndexFlusher>();
        services.AddSingleton<S3Overlay.Admin.WarmJobs>();
        return services;
    }
}
