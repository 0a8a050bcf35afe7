using S3Overlay.Admin;
using S3Overlay.Overlay;
using S3Overlay.Overlay.Eviction;
using S3Overlay.Overlay.Events;
using S3Overlay.Buckets;
using S3Overlay.Configuration;
using S3Overlay.Overlay.Fleet;
using S3Overlay.Storage;
using S3Overlay.Storage.S3;

namespace S3Overlay.Hosting;

/// <summary>Puts the overlay in front of the local store, when a remote is configured.</summary>
internal static class OverlayRegistration
{
    /// <summary>
    /// The overlay over <paramref name="local"/> when the settings name a remote (the bucket
    /// configuration's remotes, or <c>S3_OVERLAY_REMOTE_*</c>); null when they name none. Its
    /// settings are read either way, so a wrong one is reported rather than ignored. Its fills
    /// stage into <paramref name="local"/> when that link can take staged files.
    /// </summary>
    public static Func<IServiceProvider, IObjectStore>? AddOverlay(this WebApplicationBuilder builder, SettingReader read, BucketTargets buckets,
        StoreLink local)
    {
        var overlay = buckets.Shape(OverlaySettings.From(read));
        builder.AddFleet(read);
        var remote = RemoteStoreSettings.From(read);
        var events = RemoteEventSettings.From(read);
        if (buckets.Remotes.Any())
            builder.Services.AddOverlay(overlay, local, sp => new BucketRemotes(remote?.CreateStore(sp.GetRequiredService<TimeProvider>()), buckets.All, sp.GetRequiredService<TimeProvider>()));
        else if (remote is not null)
            builder.Services.AddOverlay(overlay, local, sp => remote.CreateStore(sp.GetRequiredService<TimeProvider>()));
        else
            return null;
        builder.Services.AddRemoteEvents(events);
        return sp => sp.GetRequiredService<OverlayObjectStore>();
    }

    /// <param name="remote">Creates the remote store the overlay reads through to.</param>
    private static void AddOverlay(this IServiceCollection services, OverlaySettings settings, StoreLink local,
        Func<IServiceProvider, IReadOnlyStore> remote)
    {
        services.AddOverlayStore(settings, local.Get, remote, local.Staging);
        services.AddSingleton(new Storage.FileSystem.ExactNameGuard("the overlay's cache bucket"));
        // The admin API, warm jobs and pages take the parts they use.
        services.AddHostedService<CacheIndexFlusher>();
        services.AddSingleton<WarmJobs>();
    }
}
