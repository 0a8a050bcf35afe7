using S3Overlay.Admin;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>Puts the overlay in front of whatever local store is registered, when a remote is configured.</summary>
internal static class OverlayRegistration
{
    /// <param name="remote">Creates the remote store the overlay reads through to.</param>
    public static IServiceCollection AddOverlay(this IServiceCollection services, OverlaySettings settings, Func<IServiceProvider, IReadOnlyStore> remote)
    {
        services.AddOverlayStore(settings, services.TakeObjectStore(), remote);
        services.AddSingleton(new Storage.FileSystem.ExactNameGuard("the overlay's cache bucket"));
        // S3 requests go through the overlay; the admin API, warm jobs and pages take the parts they use.
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<OverlayObjectStore>());
        services.AddHostedService<CacheIndexFlusher>();
        services.AddSingleton<WarmJobs>();
        return services;
    }
}
